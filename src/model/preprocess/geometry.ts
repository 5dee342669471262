/**
 * Framing an image the way torchvision's Resize and CenterCrop do: sizes and offsets only, no pixels, so the
 * worker's decoder and the tests share one definition.
 */
import type { Size } from '../../shared/imageFormat';

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
