/**
 * Turns what the engine cannot decode by itself into what it can, on the page (main thread): an SVG becomes a
 * PNG. Chromium's createImageBitmap rejects SVG blobs (in a worker there is no SVG renderer at all), while an
 * <img> renders them. An SVG loaded as an image never runs its scripts, never loads external resources and
 * never runs event handlers, so rendering one this way is as safe as showing it in an <img>.
 */
import { looksLikeSvg } from '../shared/imageFormat';
import type { Size } from '../shared/imageFormat';

/** A file that could not be made ready for the engine; the card shows it like the engine's decode errors. */
export class ImagePrepareError extends Error {
  readonly code = 'undecodable' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ImagePrepareError';
  }
}

/** How far into a file to look for an <svg> root (past an XML declaration, a licence comment, a doctype). */
const SVG_SNIFF_BYTES = 16 * 1024;

/** The blob to hand to the engine: a PNG rendering for an SVG, the same blob for anything else. */
export async function prepareImageForEngine(file: Blob): Promise<Blob> {
  if (file.size === 0) return file;
  const head = new Uint8Array(await file.slice(0, SVG_SNIFF_BYTES).arrayBuffer());
  return looksLikeSvg(head) ? rasterizeSvg(file) : file;
}

/** Longer side of an SVG's raster; the models frame the shorter side to 256, so 512x256 needs no resampling. */
const RASTER_LONG_SIDE = 512;
const RASTER_MIN_SHORT_SIDE = 256;
/** An extreme aspect ratio keeps its shorter side at 256 only up to this longer side. */
const RASTER_MAX_LONG_SIDE = 4096;

/** CSS absolute units in px, as SVG resolves `width="10mm"`. Relative units (%, em) give no intrinsic size. */
const UNIT_PX: Record<string, number> = {
  '': 1,
  px: 1,
  in: 96,
  cm: 96 / 2.54,
  mm: 96 / 25.4,
  q: 96 / 101.6,
  pt: 96 / 72,
  pc: 16,
};

function parseLength(value: string | null): number | null {
  const match = /^\s*\+?(\d*\.?\d+(?:e[+-]?\d+)?)\s*([a-z]*)\s*$/i.exec(value ?? '');
  if (!match) return null;
  const unit = UNIT_PX[match[2]!.toLowerCase()];
  const px = unit === undefined ? NaN : Number(match[1]) * unit;
  return Number.isFinite(px) && px > 0 ? px : null;
}

function parseViewBox(value: string | null): Size | null {
  const parts = (value ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return null;
  const [, , width, height] = parts as [number, number, number, number];
  return width > 0 && height > 0 ? { width, height } : null;
}

export interface SvgRaster extends Size {
  /** A viewBox to give the root when it has none, so its content scales to the raster instead of clipping. */
  viewBox?: string;
}

/**
 * The raster size for an SVG root's width, height and viewBox attributes: the intrinsic aspect ratio (from
 * width/height, else from the viewBox, else square), 512 pixels on the longer side, at least 256 on the
 * shorter one while the longer stays within 4096. An SVG without any size still gets one: it is never an error.
 */
export function svgRasterSize(attributes: {
  width: string | null;
  height: string | null;
  viewBox: string | null;
}): SvgRaster {
  const width = parseLength(attributes.width);
  const height = parseLength(attributes.height);
  const viewBox = parseViewBox(attributes.viewBox);
  let aspect: number;
  let addViewBox: string | undefined;
  if (viewBox) {
    aspect = width && height ? width / height : viewBox.width / viewBox.height;
  } else {
    // No viewBox: user units are CSS pixels, so the declared size (or 512x512 when there is none) is the
    // region the content is drawn in.
    const w = width ?? height ?? RASTER_LONG_SIDE;
    const h = height ?? width ?? RASTER_LONG_SIDE;
    aspect = w / h;
    addViewBox = `0 0 ${w} ${h}`;
  }
  let long = RASTER_LONG_SIDE;
  const shortAt = (l: number) => (aspect >= 1 ? l / aspect : l * aspect);
  if (shortAt(long) < RASTER_MIN_SHORT_SIDE) {
    long = Math.min(RASTER_MAX_LONG_SIDE, RASTER_MIN_SHORT_SIDE * Math.max(aspect, 1 / aspect));
  }
  const short = Math.max(1, Math.round(shortAt(long)));
  long = Math.round(long);
  const size = aspect >= 1 ? { width: long, height: short } : { width: short, height: long };
  return addViewBox ? { ...size, viewBox: addViewBox } : size;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Renders an SVG file to a PNG blob through an <img>; throws ImagePrepareError when it cannot be rendered. */
export async function rasterizeSvg(file: Blob): Promise<Blob> {
  // DOMParser builds an inert document: no script runs and nothing loads while the size is read off it.
  const doc = new DOMParser().parseFromString(await file.text(), 'image/svg+xml');
  const root = doc.documentElement;
  if (doc.getElementsByTagNameNS('*', 'parsererror').length > 0 || root.namespaceURI !== SVG_NS) {
    throw new ImagePrepareError(
      `This SVG file is damaged: it is not a well-formed SVG document (${file.size} bytes).`,
    );
  }
  const raster = svgRasterSize({
    width: root.getAttribute('width'),
    height: root.getAttribute('height'),
    viewBox: root.getAttribute('viewBox'),
  });
  // An explicit size makes the image's intrinsic size the raster size, whatever the file declared.
  root.setAttribute('width', String(raster.width));
  root.setAttribute('height', String(raster.height));
  if (raster.viewBox) root.setAttribute('viewBox', raster.viewBox);
  const svg = new Blob([new XMLSerializer().serializeToString(doc)], { type: 'image/svg+xml' });
  const url = URL.createObjectURL(svg);
  try {
    const img = new Image();
    img.src = url;
    try {
      await img.decode();
    } catch {
      throw new ImagePrepareError(`This SVG image could not be rendered (${file.size} bytes).`);
    }
    const canvas = new OffscreenCanvas(raster.width, raster.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new ImagePrepareError('No 2D canvas is available to render SVG images.');
    // Transparent areas stay transparent: the engine composites onto white like any PNG with alpha.
    ctx.drawImage(img, 0, 0, raster.width, raster.height);
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    URL.revokeObjectURL(url);
  }
}
