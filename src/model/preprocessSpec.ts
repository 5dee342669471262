/** How an image must be framed and normalized for a given set of weights. Pure data. */
export interface PreprocessSpec {
  /** Resize so the shorter side has this length, then center-crop `cropSize`. */
  resizeShorterSide: number;
  cropSize: number;
  /** Per-channel RGB mean and std applied after scaling to [0, 1]. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** torchvision's ImageNet eval transform, also used for the reference design. */
export const IMAGENET_TORCHVISION_PREPROCESS: PreprocessSpec = {
  resizeShorterSide: 256,
  cropSize: 224,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};
