/**
 * ResNet18's residual blocks as the Network view names them, input side first: what the unit tests and the e2e
 * test expect a model's block list to be, written out once.
 */
export const RESNET18_BLOCKS = [
  'layer1.0',
  'layer1.1',
  'layer2.0',
  'layer2.1',
  'layer3.0',
  'layer3.1',
  'layer4.0',
  'layer4.1',
] as const;
