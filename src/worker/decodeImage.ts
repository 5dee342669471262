/** Decoding images with the browser's own decoders in the worker (OffscreenCanvas), straight to the model's crop. */
import type { PreprocessSpec } from '../model/preprocess/spec';
import { SNIFF_BYTES, animationNotice, looksTruncated, sniffImage } from '../shared/imageFormat';
import type { SniffedImage } from '../shared/imageFormat';
import { centerCropOffset, planResize } from '../model/preprocess/geometry';
import type { Size } from '../shared/imageFormat';
import { SerialQueue } from '../shared/serialQueue';

export class ImageDecodeError extends Error {
  constructor(
    readonly code: 'empty' | 'undecodable' | 'unsupported' | 'too-large' | 'needs-page-render',
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
  /**
   * The whole image at thumbnail size for the result card, not yet encoded: encoding it (a JPEG) takes longer
   * than decoding a photo, so it happens after the answer is on screen (see Thumbnails). The holder closes it.
   */
  thumbnail?: ImageBitmap;
}

/**
 * The most pixels this page decodes into memory for one image. A PNG (or GIF, WebP, BMP) is always decoded at full
 * size by Chromium, at several bytes per pixel, and beyond 2^31 bytes it refuses at once; this limit keeps a
 * decode within what a laptop's worker can hold (docs/usage.md, "Limits", has the measured cost). A JPEG is
 * decoded at 1/8 scale or more (see planDecode), so this bounds only its reduced size: every JPEG up to the
 * format's 65535x65535 fits.
 */
export const MAX_DECODED_PIXELS = 100_000_000;

/**
 * Above this many pixels an image is decoded straight to the size the model needs: a JPEG at a reduced scale,
 * anything else resized inside createImageBitmap, so no full-size bitmap reaches the engine. Below it the
 * full-size decode is cheap and resampled as always, so ordinary photos keep exactly the pixels they had.
 */
export const LARGE_IMAGE_PIXELS = 4096 * 4096;

export type DecodePlan =
  /** Decode at full size, then resize: small images, and those whose header gives no size. */
  | { kind: 'full' }
  /**
   * Decode straight to `target`. `decoderSize` is the budget for a decoder that can decode at a reduced
   * scale (WebCodecs' ImageDecoder with JPEG's DCT scaling): it picks the largest n/8 scale whose area fits.
   */
  | { kind: 'downscale'; source: Size; target: Size; decoderSize?: Size }
  | { kind: 'too-large'; source: Size; decodedPixels: number };

/**
 * How to decode an image of the sniffed header size for a model that frames the shorter side to
 * `shorterSide`, given whether this browser can decode a JPEG at a reduced scale.
 */
export function planDecode(
  sniffed: SniffedImage | null,
  shorterSide: number,
  jpegScaledDecode: boolean,
): DecodePlan {
  const source = sniffed?.size;
  if (!source) return { kind: 'full' };
  const pixels = source.width * source.height;
  if (pixels <= LARGE_IMAGE_PIXELS) return { kind: 'full' };
  const target = planResize(source, shorterSide);
  if (sniffed.format.id === 'jpeg' && jpegScaledDecode) {
    // The decoder rounds the scale down to n/8 within the budget; 1/8 of headroom keeps the decoded shorter
    // side at or above `shorterSide`, so the final resize only ever shrinks.
    const scale = Math.min(1, shorterSide / Math.min(source.width, source.height) + 1 / 8);
    const decoderSize = { width: Math.ceil(source.width * scale), height: Math.ceil(source.height * scale) };
    const decodedPixels = decoderSize.width * decoderSize.height;
    if (decodedPixels > MAX_DECODED_PIXELS) return { kind: 'too-large', source, decodedPixels };
    return { kind: 'downscale', source, target, decoderSize };
  }
  if (pixels > MAX_DECODED_PIXELS) return { kind: 'too-large', source, decodedPixels: pixels };
  return { kind: 'downscale', source, target };
}

const dimensions = (size: Size) => `${size.width}×${size.height}`;
const megapixels = (pixels: number) => `${Math.round(pixels / 1e6)} megapixels`;

/** The message for an image over MAX_DECODED_PIXELS, with a size under the limit to scale it to. */
export function tooLargeMessage(label: string, source: Size, decodedPixels: number): string {
  const fit = Math.sqrt(MAX_DECODED_PIXELS / decodedPixels);
  const suggestion = {
    width: Math.max(1, Math.floor(source.width * fit)),
    height: Math.max(1, Math.floor(source.height * fit)),
  };
  return (
    `This ${label} image is ${dimensions(source)} pixels (${megapixels(source.width * source.height)}): ` +
    `decoding it would need ${megapixels(decodedPixels)} in memory, more than the ` +
    `${megapixels(MAX_DECODED_PIXELS)} this page decodes at once. Scale it down to ${dimensions(suggestion)} ` +
    `or less and add it again.`
  );
}

/** Why a file the browser refused to decode was refused, worded from what its bytes say it is. */
export function decodeFailure(
  blob: Blob,
  sniffed: SniffedImage | null,
  plan: DecodePlan,
  tail: Uint8Array,
): ImageDecodeError {
  const bytes = `${blob.size.toLocaleString('en-US')} bytes`;
  if (!sniffed) {
    const type = blob.type ? `type ${blob.type}` : 'unknown type';
    return new ImageDecodeError(
      'undecodable',
      `This file is not an image the browser can decode (${type}, ${bytes}).`,
    );
  }
  const { label, noun, browserDecodes } = sniffed.format;
  if (!browserDecodes) {
    return new ImageDecodeError(
      'unsupported',
      `${label} ${noun} cannot be decoded by this browser; convert it to JPEG or PNG.`,
    );
  }
  if (looksTruncated(sniffed.format.id, tail)) {
    return new ImageDecodeError(
      'undecodable',
      `This ${label} file is incomplete: it ends before its image data does (${bytes}). ` +
        `It was probably cut off while downloading or copying.`,
    );
  }
  if (plan.kind === 'downscale' && !plan.decoderSize) {
    return new ImageDecodeError(
      'too-large',
      `This ${label} image is ${dimensions(plan.source)} pixels ` +
        `(${megapixels(plan.source.width * plan.source.height)}) and the browser could not decode an image ` +
        `this large. Scale it down and add it again.`,
    );
  }
  return new ImageDecodeError(
    'undecodable',
    `This ${label} file is damaged: the browser could not decode it (${bytes}).`,
  );
}

let jpegScaledDecode: Promise<boolean> | undefined;

/** WebCodecs' ImageDecoder decodes a JPEG at 1/8..1 scale; it needs a secure context and a recent browser. */
function canDecodeJpegScaled(): Promise<boolean> {
  jpegScaledDecode ??=
    typeof ImageDecoder === 'undefined'
      ? Promise.resolve(false)
      : ImageDecoder.isTypeSupported('image/jpeg').catch(() => false);
  return jpegScaledDecode;
}

/**
 * A huge JPEG decoded at a reduced scale (a fraction of the memory and time of a full decode; docs/usage.md,
 * "Limits"), then resized to the target. The frame's EXIF rotation is applied by createImageBitmap.
 */
async function decodeJpegScaled(blob: Blob, decoderSize: Size, target: Size): Promise<ImageBitmap> {
  const decoder = new ImageDecoder({
    data: blob.stream(),
    type: 'image/jpeg',
    desiredWidth: decoderSize.width,
    desiredHeight: decoderSize.height,
  });
  try {
    const { image } = await decoder.decode({ frameIndex: 0 });
    try {
      return await createImageBitmap(image, {
        resizeWidth: target.width,
        resizeHeight: target.height,
        resizeQuality: 'high',
      });
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

/**
 * Large decodes run one at a time, whatever the caller does: a batch of them decoded concurrently would add
 * up to several times the memory one may take.
 */
const largeDecodes = new SerialQueue();

function decode(blob: Blob, plan: DecodePlan): Promise<ImageBitmap> {
  if (plan.kind !== 'downscale') return createImageBitmap(blob, { imageOrientation: 'from-image' });
  return largeDecodes.run(() => decodeLarge(blob, plan));
}

async function decodeLarge(
  blob: Blob,
  plan: Extract<DecodePlan, { kind: 'downscale' }>,
): Promise<ImageBitmap> {
  if (plan.decoderSize) {
    try {
      return await decodeJpegScaled(blob, plan.decoderSize, plan.target);
    } catch (err) {
      // The other decoder works at full size: only try it where that is within the limit. It then says for
      // itself whether the file is bad (a truncated file fails in both).
      if (plan.source.width * plan.source.height > MAX_DECODED_PIXELS) throw err;
    }
  }
  // Resizing inside createImageBitmap spares a second full-size copy; the resize size is after EXIF
  // orientation.
  return createImageBitmap(blob, {
    resizeWidth: plan.target.width,
    resizeHeight: plan.target.height,
    resizeQuality: 'high',
    imageOrientation: 'from-image',
  });
}

/** Longest side of the card's thumbnail, in CSS pixels x 2 for sharp rendering on high-DPI screens. */
const THUMBNAIL_SIZE = 192;

function makeThumbnail(image: ImageBitmap): Promise<ImageBitmap> {
  const scale = Math.min(1, THUMBNAIL_SIZE / Math.max(image.width, image.height));
  return createImageBitmap(image, {
    resizeWidth: Math.max(1, Math.round(image.width * scale)),
    resizeHeight: Math.max(1, Math.round(image.height * scale)),
    resizeQuality: 'high',
  });
}

/** A thumbnail as the small JPEG the card shows, composited onto white like the crop. Closes `thumbnail`. */
export async function encodeThumbnail(thumbnail: ImageBitmap): Promise<Blob> {
  try {
    const canvas = new OffscreenCanvas(thumbnail.width, thumbnail.height);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, thumbnail.width, thumbnail.height);
    ctx.drawImage(thumbnail, 0, 0);
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
  } finally {
    thumbnail.close();
  }
}

/**
 * Decode (EXIF orientation applied), resize the shorter side to spec.resizeShorterSide with high-quality
 * resampling, and center-crop. An image already at the resize size is not resampled, so the crop is
 * pixel-exact. The header is read first: a format the browser cannot decode is named, an image too large to
 * decode is refused before any decoding, and a large one is decoded straight to the resize size.
 */
export async function decodeAndCrop(
  blob: Blob,
  spec: PreprocessSpec,
  { withThumbnail = false }: { withThumbnail?: boolean } = {},
): Promise<CroppedImage> {
  if (blob.size === 0) throw new ImageDecodeError('empty', 'The file is empty (0 bytes).');
  const sniffed = sniffImage(new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer()));
  if (sniffed?.format.id === 'svg') {
    throw new ImageDecodeError('needs-page-render', 'An SVG image is rendered on the page, not in a worker.');
  }
  const plan = planDecode(sniffed, spec.resizeShorterSide, await canDecodeJpegScaled());
  if (plan.kind === 'too-large') {
    throw new ImageDecodeError(
      'too-large',
      tooLargeMessage(sniffed?.format.label ?? 'image', plan.source, plan.decodedPixels),
    );
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await decode(blob, plan);
  } catch {
    const tail = new Uint8Array(await blob.slice(Math.max(0, blob.size - 64)).arrayBuffer());
    throw decodeFailure(blob, sniffed, plan, tail);
  }
  const source = plan.kind === 'downscale' ? plan.source : { width: bitmap.width, height: bitmap.height };
  const notices = [
    sniffed ? animationNotice(sniffed) : undefined,
    plan.kind === 'downscale' ? `Downscaled from ${dimensions(plan.source)} while decoding` : undefined,
  ].filter((n): n is string => n !== undefined);
  try {
    return await withFramedImage(bitmap, spec, async (framed) => ({
      rgba: readCenterCrop(framed, spec),
      sourceWidth: source.width,
      sourceHeight: source.height,
      ...(notices.length > 0 ? { notice: notices.join('. ') } : {}),
      ...(withThumbnail ? { thumbnail: await makeThumbnail(framed) } : {}),
    }));
  } finally {
    bitmap.close();
  }
}

/**
 * The image framed as the spec asks (shorter side resized to spec.resizeShorterSide with high-quality
 * resampling; not resampled when already that size, so the crop stays pixel-exact), handed to `read` and let go
 * of after it. The caller keeps and closes `bitmap`.
 */
async function withFramedImage<T>(
  bitmap: ImageBitmap,
  spec: PreprocessSpec,
  read: (framed: ImageBitmap) => Promise<T>,
): Promise<T> {
  const decoded = { width: bitmap.width, height: bitmap.height };
  const target = planResize(decoded, spec.resizeShorterSide);
  const resized =
    target.width !== decoded.width || target.height !== decoded.height
      ? await createImageBitmap(bitmap, {
          resizeWidth: target.width,
          resizeHeight: target.height,
          resizeQuality: 'high',
        })
      : null;
  try {
    return await read(resized ?? bitmap);
  } finally {
    resized?.close();
  }
}

/** The centre cropSize x cropSize of a framed image as RGBA, composited onto white. */
function readCenterCrop(framed: ImageBitmap, spec: PreprocessSpec): Uint8ClampedArray {
  const offset = centerCropOffset({ width: framed.width, height: framed.height }, spec.cropSize);
  const canvas = new OffscreenCanvas(spec.cropSize, spec.cropSize);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ImageDecodeError('undecodable', 'No 2D canvas is available to decode images.');
  // Painting onto opaque white composites transparent pixels onto white, as the spec asks.
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, spec.cropSize, spec.cropSize);
  ctx.drawImage(framed, -offset.x, -offset.y);
  return ctx.getImageData(0, 0, spec.cropSize, spec.cropSize).data;
}

/**
 * A camera's VideoFrame as a bitmap in memory, to crop like any other: its pixels copied out as RGBA (the browser
 * converts the camera's YUV on the CPU), where drawing the frame itself may go through the GPU and back, which
 * took ten times as long (docs/performance.md, "What makes it fast"). A browser that cannot convert while copying,
 * or a frame whose pixels are not square, is drawn instead. Closes `frame`.
 */
export async function videoFrameBitmap(frame: VideoFrame): Promise<ImageBitmap> {
  try {
    const rect = frame.visibleRect;
    if (rect && rect.width === frame.displayWidth && rect.height === frame.displayHeight) {
      try {
        const rgba = new Uint8ClampedArray(frame.allocationSize({ format: 'RGBA' }));
        await frame.copyTo(rgba, { format: 'RGBA' });
        return await createImageBitmap(new ImageData(rgba, rect.width, rect.height));
      } catch {
        // No conversion on copy in this browser: drawn below.
      }
    }
    return await createImageBitmap(frame);
  } finally {
    frame.close();
  }
}

/**
 * A bitmap that is already decoded (a camera frame) cropped exactly as a decoded file is, so a frame and a
 * snapshot of it reach the network as the same pixels. The caller keeps and closes `bitmap`.
 */
export function cropBitmap(bitmap: ImageBitmap, spec: PreprocessSpec): Promise<Uint8ClampedArray> {
  if (bitmap.width === 0 || bitmap.height === 0) {
    return Promise.reject(new ImageDecodeError('empty', 'The frame has no pixels.'));
  }
  return withFramedImage(bitmap, spec, async (framed) => readCenterCrop(framed, spec));
}

/**
 * Decodes a tiny JPEG through the whole path once (decoder, resize, canvas read-back, thumbnail encoder), so
 * the first user image does not pay for their start-up. Part of loading a model.
 */
export async function warmUpDecoding(spec: PreprocessSpec): Promise<void> {
  const canvas = new OffscreenCanvas(16, 12);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#8a6';
  ctx.fillRect(0, 0, 16, 12);
  const { thumbnail } = await decodeAndCrop(await canvas.convertToBlob({ type: 'image/jpeg' }), spec, {
    withThumbnail: true,
  });
  if (thumbnail) await encodeThumbnail(thumbnail);
}
