/**
 * The ResNet variants the app can build, and the facts about them that do not depend on weights.
 * Pure data: no TF.js, so the store and UI can import it freely.
 */

/** The variants this app builds itself (any weights); ResNet50 is only ever loaded, pretrained. */
export type BuildableVariantId = 'resnet18' | 'resnet34';
export type VariantId = BuildableVariantId | 'resnet50';

/**
 * `reference`: the Keras-style design of the spec ('same' padding, biased convs, a 1x1 conv shortcut in
 * every block). `torchvision`: the layout of torchvision's checkpoints (bias-free convs, symmetric padding,
 * identity shortcuts where shapes match, BatchNorm eps 1e-5).
 */
export type BuildFlavor = 'reference' | 'torchvision';
/** `keras`: Keras applications' ResNet50 (bottleneck blocks, Caffe preprocessing, softmax in the model). */
export type Flavor = BuildFlavor | 'keras';

/** Each layout in words, as every message and caption names it. */
export const FLAVOR_LABELS: Readonly<Record<Flavor, string>> = {
  reference: 'the reference design',
  torchvision: "torchvision's layout",
  keras: "Keras' layout (bottleneck blocks)",
};

export type StageName =
  'stem' | 'layer1' | 'layer2' | 'layer3' | 'layer4' | 'conv2' | 'conv3' | 'conv4' | 'conv5' | 'fc';

export interface VariantSpec {
  id: VariantId;
  label: string;
  depth: 18 | 34 | 50;
  /** Residual blocks per stage (BasicBlocks for 18/34, bottlenecks for 50). */
  blocksPerStage: readonly [number, number, number, number];
}

export const VARIANTS: Readonly<Record<VariantId, VariantSpec>> = {
  resnet18: { id: 'resnet18', label: 'ResNet18', depth: 18, blocksPerStage: [2, 2, 2, 2] },
  resnet34: { id: 'resnet34', label: 'ResNet34', depth: 34, blocksPerStage: [3, 4, 6, 3] },
  resnet50: { id: 'resnet50', label: 'ResNet50', depth: 50, blocksPerStage: [3, 4, 6, 3] },
};

export const VARIANT_IDS = Object.keys(VARIANTS) as VariantId[];
export const BUILDABLE_VARIANT_IDS: readonly BuildableVariantId[] = ['resnet18', 'resnet34'];

export function isBuildableVariant(id: VariantId): id is BuildableVariantId {
  return (BUILDABLE_VARIANT_IDS as readonly string[]).includes(id);
}

export function isVariantId(value: unknown): value is VariantId {
  // Not `in`: "constructor" and "__proto__" are in every object.
  return typeof value === 'string' && Object.hasOwn(VARIANTS, value);
}

/** Filters of layer1..layer4; only a stage's first block strides (layer1 never does). */
export const STAGE_FILTERS = [64, 128, 256, 512] as const;
export const STAGE_STRIDES = [1, 2, 2, 2] as const;

export const INPUT_SIZE = 224;
export const NUM_CLASSES = 1000;
