/**
 * Preprocessing in plain JavaScript, pixel by pixel: the reference that the app's tensor path (model/preprocess)
 * and the PyTorch fixtures are checked against. Only tests import it.
 */
import { KERAS_CAFFE_PREPROCESS } from '../model/preprocess/spec';
import type {
  CaffePreprocessSpec,
  PreprocessSpec,
  TorchvisionPreprocessSpec,
} from '../model/preprocess/spec';
import type { Size } from '../shared/imageFormat';

/** Crops an RGBA buffer; pixels outside the source (crop larger than the image) are left transparent. */
export function cropRGBA(
  rgba: Uint8ClampedArray,
  source: Size,
  offset: { x: number; y: number },
  crop: Size,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(crop.width * crop.height * 4);
  for (let y = 0; y < crop.height; y++) {
    const sy = y + offset.y;
    if (sy < 0 || sy >= source.height) continue;
    for (let x = 0; x < crop.width; x++) {
      const sx = x + offset.x;
      if (sx < 0 || sx >= source.width) continue;
      const si = (sy * source.width + sx) * 4;
      out.set(rgba.subarray(si, si + 4), (y * crop.width + x) * 4);
    }
  }
  return out;
}

/**
 * RGBA bytes (straight alpha, as ImageData holds them) to normalized float32 NHWC RGB: transparent pixels
 * are composited onto white, then scaled to [0, 1] and normalized with the spec's mean and std.
 */
export function rgbaToNormalizedRGB(rgba: Uint8ClampedArray, spec: TorchvisionPreprocessSpec): Float32Array {
  const n = rgba.length / 4;
  const out = new Float32Array(n * 3);
  const [m0, m1, m2] = spec.mean;
  const [s0, s1, s2] = spec.std;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3]! / 255;
    const white = 255 * (1 - a);
    out[i * 3] = ((rgba[i * 4]! * a + white) / 255 - m0) / s0;
    out[i * 3 + 1] = ((rgba[i * 4 + 1]! * a + white) / 255 - m1) / s1;
    out[i * 3 + 2] = ((rgba[i * 4 + 2]! * a + white) / 255 - m2) / s2;
  }
  return out;
}

/**
 * The model input for a crop, in whatever normalization the weights were trained with, computed on the host.
 * The app preprocesses on the backend (`rgbaToModelInput`); this plain-JS version is the reference that one is
 * tested against.
 */
export function normalizeCrop(rgba: Uint8ClampedArray, spec: PreprocessSpec): Float32Array {
  return spec.mode === 'caffe' ? rgbaToCaffeBGR(rgba, spec) : rgbaToNormalizedRGB(rgba, spec);
}

/** A single-channel (grayscale) buffer expanded to RGBA, for decoders that hand back luminance only. */
export function grayToRGBA(gray: Uint8ClampedArray | Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i]!;
    out[i * 4] = v;
    out[i * 4 + 1] = v;
    out[i * 4 + 2] = v;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * RGBA bytes (straight alpha, as ImageData holds them) to the model's input: float32 NHWC in BGR order with
 * the Caffe means subtracted and no scaling. Transparent pixels are composited onto white first, as
 * `rgbaToNormalizedRGB` does for ResNet18/34, so the same image gives both models the same pixels.
 */
export function rgbaToCaffeBGR(
  rgba: Uint8ClampedArray,
  spec: CaffePreprocessSpec = KERAS_CAFFE_PREPROCESS,
): Float32Array {
  if (rgba.length % 4 !== 0) throw new RangeError(`RGBA buffer length ${rgba.length} is not a multiple of 4`);
  const n = rgba.length / 4;
  const out = new Float32Array(n * 3);
  const [mb, mg, mr] = spec.meanBGR;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3]! / 255;
    const white = 255 * (1 - a);
    out[i * 3] = rgba[i * 4 + 2]! * a + white - mb;
    out[i * 3 + 1] = rgba[i * 4 + 1]! * a + white - mg;
    out[i * 3 + 2] = rgba[i * 4]! * a + white - mr;
  }
  return out;
}
