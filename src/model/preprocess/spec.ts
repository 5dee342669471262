/**
 * How an image must be framed and normalized for a given set of weights: pure data, one spec per training
 * recipe. The tensor implementation is in onBackend.ts; the plain-JS reference the tests hold it to is in
 * src/testing/preprocessReference.ts.
 */

interface Framing {
  /** Resize so the shorter side has this length, then center-crop `cropSize`. */
  resizeShorterSide: number;
  cropSize: number;
}

export interface TorchvisionPreprocessSpec extends Framing {
  mode: 'torchvision';
  /** Per-channel RGB mean and std applied after scaling to [0, 1]. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** Keras' 'caffe' mode: BGR, per-channel ImageNet means subtracted on the 0..255 scale, no scaling. */
export interface CaffePreprocessSpec extends Framing {
  mode: 'caffe';
  /** Per-channel ImageNet means in BGR order (the order this mode feeds the network), on the 0..255 scale. */
  meanBGR: readonly [number, number, number];
}

export type PreprocessSpec = TorchvisionPreprocessSpec | CaffePreprocessSpec;

/** torchvision's ImageNet eval transform, also used for the reference design. */
export const IMAGENET_TORCHVISION_PREPROCESS: TorchvisionPreprocessSpec = {
  mode: 'torchvision',
  resizeShorterSide: 256,
  cropSize: 224,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/**
 * Keras ResNet50, which these ImageNet weights were trained with: Caffe normalization, framed like ResNet18/34
 * (shorter side 256, center crop 224) rather than squashed; scripts/measure-resnet50.mjs measured both framings
 * (docs/weights.md, "The bundled ResNet50").
 */
export const KERAS_CAFFE_PREPROCESS: CaffePreprocessSpec = {
  mode: 'caffe',
  resizeShorterSide: 256,
  cropSize: 224,
  meanBGR: [103.939, 116.779, 123.68],
};
