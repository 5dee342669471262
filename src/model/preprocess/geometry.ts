import type { PreprocessSpec, TorchvisionPreprocessSpec } from './spec';
import { rgbaToCaffeBGR } from '../resnet50';

/** Pure, DOM-free steps of the preprocessing pipeline, so they can be tested exactly in Node. */

export interface Size {
  width: number;
  height: number;
}

/**
 * Target size when resizing so the shorter side becomes `shorterSide` (aspect ratio kept, the longer side
 * rounded like torchvision's Resize). Returns the input size unchanged when it already fits, so an
 * image of exactly 256x256 is never resampled.
 */
export function planResize(source: Size, shorterSide: number): Size {
  const { width, height } = source;
  if (width <= 0 || height <= 0) throw new RangeError(`Image has no pixels (${width}x${height})`);
  if (Math.min(width, height) === shorterSide) return { width, height };
  if (width <= height) {
    return { width: shorterSide, height: Math.max(1, Math.floor((shorterSide * height) / width)) };
  }
  return { width: Math.max(1, Math.floor((shorterSide * width) / height)), height: shorterSide };
}

/** Top-left corner of a centered crop, rounded the way torchvision's CenterCrop rounds. */
export function centerCropOffset(source: Size, cropSize: number): { x: number; y: number } {
  return {
    x: Math.round((source.width - cropSize) / 2),
    y: Math.round((source.height - cropSize) / 2),
  };
}

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
  return spec.mode === 'caffe' ? rgbaToCaffeBGR(rgba) : rgbaToNormalizedRGB(rgba, spec);
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
