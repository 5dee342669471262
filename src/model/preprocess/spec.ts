/** How an image must be framed and normalized for a given set of weights. Pure data. */
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

/** Keras ResNet50: Caffe normalization, framed by shorter side 256 + center crop (measured better than squash). */
export const KERAS_CAFFE_PREPROCESS: CaffePreprocessSpec = {
  mode: 'caffe',
  resizeShorterSide: 256,
  cropSize: 224,
};
