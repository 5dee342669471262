import type { PreprocessSpec } from '../model/preprocessSpec';
import { centerCropOffset, planResize } from './preprocess';

/** Decoding with the browser's own decoders; works on the main thread and in a worker (OffscreenCanvas). */

export class ImageDecodeError extends Error {
  constructor(
    readonly code: 'empty' | 'undecodable' | 'unsupported' | 'too-large',
    message: string,
  ) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

export interface CroppedImage {
  /** RGBA, cropSize x cropSize, already composited onto white (alpha is 255 everywhere). */
  rgba: Uint8ClampedArray;
  sourceWidth: number;
  sourceHeight: number;
  /** How the image was read, when the user should know (animated: first frame; downscaled while decoding). */
  notice?: string;
  /** A small JPEG of the whole image for the result card. */
  thumbnail?: Blob;
}

function describeType(blob: Blob): string {
  return blob.type ? `type ${blob.type}` : 'unknown type';
}

/** Longest side of the card's thumbnail, in CSS pixels x 2 for sharp rendering on high-DPI screens. */
const THUMBNAIL_SIZE = 192;

async function makeThumbnail(image: ImageBitmap): Promise<Blob> {
  const scale = Math.min(1, THUMBNAIL_SIZE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, 0, 0, width, height);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
}

/**
 * Decode (EXIF orientation applied), resize the shorter side to spec.resizeShorterSide with high-quality
 * resampling, and center-crop. An image already at the resize size is not resampled, so the crop is
 * pixel-exact.
 */
export async function decodeAndCrop(blob: Blob, spec: PreprocessSpec): Promise<CroppedImage> {
  if (blob.size === 0) throw new ImageDecodeError('empty', 'The file is empty (0 bytes).');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    throw new ImageDecodeError(
      'undecodable',
      `This file is not an image the browser can decode (${describeType(blob)}, ${blob.size} bytes).`,
    );
  }
  const source = { width: bitmap.width, height: bitmap.height };
  let resized: ImageBitmap | null = null;
  try {
    const target = planResize(source, spec.resizeShorterSide);
    if (target.width !== source.width || target.height !== source.height) {
      resized = await createImageBitmap(bitmap, {
        resizeWidth: target.width,
        resizeHeight: target.height,
        resizeQuality: 'high',
      });
    }
    const offset = centerCropOffset(target, spec.cropSize);
    const canvas = new OffscreenCanvas(spec.cropSize, spec.cropSize);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new ImageDecodeError('undecodable', 'No 2D canvas is available to decode images.');
    // Painting onto opaque white composites transparent pixels onto white, as the spec asks.
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, spec.cropSize, spec.cropSize);
    ctx.drawImage(resized ?? bitmap, -offset.x, -offset.y);
    const { data } = ctx.getImageData(0, 0, spec.cropSize, spec.cropSize);
    const thumbnail = await makeThumbnail(resized ?? bitmap);
    return { rgba: data, sourceWidth: source.width, sourceHeight: source.height, thumbnail };
  } finally {
    bitmap.close();
    resized?.close();
  }
}
