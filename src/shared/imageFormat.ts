/**
 * What an image file is, read from its first bytes (magic numbers and headers), without decoding it. Pure
 * functions over bytes, so they run in a worker, on the page and in Node alike.
 *
 * The browser's own decoder stays the authority on whether a file decodes: this only lets the engine name the
 * format in its messages, say when only the first frame of an animation is used, and see an image's size
 * before paying for a full decode of it.
 */

export interface Size {
  width: number;
  height: number;
}

export type ImageFormatId =
  | 'jpeg'
  | 'png'
  | 'gif'
  | 'webp'
  | 'bmp'
  | 'ico'
  | 'avif'
  | 'svg'
  | 'heic'
  | 'heif'
  | 'tiff'
  | 'psd'
  | 'pdf'
  | 'jxl';

export interface ImageFormat {
  id: ImageFormatId;
  /** How a person names it: "JPEG", "Photoshop (PSD)". */
  label: string;
  /** What one file of it is called in a message: "HEIC images", "PDF documents". */
  noun: 'images' | 'files' | 'documents';
  /** Whether Chromium-family browsers decode it; the others get a message naming the format. */
  browserDecodes: boolean;
}

const FORMATS: Record<ImageFormatId, ImageFormat> = {
  jpeg: { id: 'jpeg', label: 'JPEG', noun: 'images', browserDecodes: true },
  png: { id: 'png', label: 'PNG', noun: 'images', browserDecodes: true },
  gif: { id: 'gif', label: 'GIF', noun: 'images', browserDecodes: true },
  webp: { id: 'webp', label: 'WebP', noun: 'images', browserDecodes: true },
  bmp: { id: 'bmp', label: 'BMP', noun: 'images', browserDecodes: true },
  ico: { id: 'ico', label: 'ICO', noun: 'images', browserDecodes: true },
  avif: { id: 'avif', label: 'AVIF', noun: 'images', browserDecodes: true },
  // Decodable on the page through an <img>, never by createImageBitmap in a worker: see prepareImage.ts.
  svg: { id: 'svg', label: 'SVG', noun: 'images', browserDecodes: true },
  heic: { id: 'heic', label: 'HEIC', noun: 'images', browserDecodes: false },
  heif: { id: 'heif', label: 'HEIF', noun: 'images', browserDecodes: false },
  tiff: { id: 'tiff', label: 'TIFF', noun: 'images', browserDecodes: false },
  psd: { id: 'psd', label: 'Photoshop (PSD)', noun: 'files', browserDecodes: false },
  pdf: { id: 'pdf', label: 'PDF', noun: 'documents', browserDecodes: false },
  jxl: { id: 'jxl', label: 'JPEG XL', noun: 'images', browserDecodes: false },
};

export interface SniffedImage {
  format: ImageFormat;
  /** More than one frame (animated GIF, animated WebP, APNG): browsers decode the first one. */
  animated: boolean;
  /** Size as displayed (EXIF orientation applied), when the header gives it cheaply. */
  size?: Size;
  /** EXIF orientation 1..8 of a JPEG, when present. */
  orientation?: number;
}

/**
 * How many leading bytes `sniffImage` wants. Enough for a JPEG's SOF behind a large EXIF/ICC block and for a
 * GIF's second frame after a first one of a few hundred KB; past that an animation goes unnoticed (the first
 * frame is still what gets classified, only the notice is missing).
 */
export const SNIFF_BYTES = 512 * 1024;

const ascii = (bytes: Uint8Array, at: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(at, at + length));

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | u16be(b, at + 2)) >>> 0;
const u32le = (b: Uint8Array, at: number) => (u16le(b, at) | (u16le(b, at + 2) << 16)) >>> 0;
const i32le = (b: Uint8Array, at: number) => u32le(b, at) | 0;

/** The format of a file from its first bytes (ideally `SNIFF_BYTES` of them), or null when it is no image. */
export function sniffImage(head: Uint8Array): SniffedImage | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return sniffJpeg(head);
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return sniffPng(head);
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return sniffGif(head);
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return sniffWebp(head);
  if (ascii(head, 0, 2) === 'BM' && head.length >= 26) return sniffBmp(head);
  if (ascii(head, 4, 4) === 'ftyp') return sniffIsoBmff(head);
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { format: FORMATS.tiff, animated: false };
  }
  // BigTIFF: same byte-order mark, version 43.
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) {
    return { format: FORMATS.tiff, animated: false };
  }
  if (ascii(head, 0, 4) === '8BPS') return { format: FORMATS.psd, animated: false };
  if (ascii(head, 0, 5) === '%PDF-') return { format: FORMATS.pdf, animated: false };
  if (
    startsWith(head, [0xff, 0x0a]) ||
    startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a])
  ) {
    return { format: FORMATS.jxl, animated: false };
  }
  // ICO (type 1) and CUR (type 2): reserved 0, type, a non-zero image count.
  if (startsWith(head, [0, 0]) && (head[2] === 1 || head[2] === 2) && head[3] === 0 && u16le(head, 4) > 0) {
    return { format: FORMATS.ico, animated: false };
  }
  if (looksLikeSvg(head)) return { format: FORMATS.svg, animated: false };
  return null;
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function sniffJpeg(b: Uint8Array): SniffedImage {
  const result: SniffedImage = { format: FORMATS.jpeg, animated: false };
  let pos = 2;
  let stored: Size | undefined;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) break; // lost sync: a damaged file; the decoder will say so
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or entropy-coded data follows
    const length = u16be(b, pos + 2);
    if (length < 2) break;
    const body = pos + 4;
    if (marker === 0xe1 && ascii(b, body, 6) === 'Exif\0\0') {
      const orientation = exifOrientation(b.subarray(body + 6, Math.min(b.length, pos + 2 + length)));
      if (orientation) result.orientation = orientation;
    }
    if (isStartOfFrame(marker) && body + 5 <= b.length) {
      stored = { width: u16be(b, body + 3), height: u16be(b, body + 1) };
      break;
    }
    pos += 2 + length;
  }
  // Height 0 means "defined later by a DNL marker": unknown here.
  if (stored && stored.width > 0 && stored.height > 0) {
    const swapped = (result.orientation ?? 1) >= 5;
    result.size = swapped ? { width: stored.height, height: stored.width } : stored;
  }
  return result;
}

/** The Orientation tag (0x0112) of IFD0 in a TIFF-structured EXIF block, if valid. */
function exifOrientation(tiff: Uint8Array): number | undefined {
  if (tiff.length < 8) return undefined;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const u16 = (at: number) => (little ? u16le(tiff, at) : u16be(tiff, at));
  const u32 = (at: number) => (little ? u32le(tiff, at) : u32be(tiff, at));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

function sniffPng(b: Uint8Array): SniffedImage {
  const result: SniffedImage = { format: FORMATS.png, animated: false };
  if (ascii(b, 12, 4) === 'IHDR' && b.length >= 24) {
    result.size = { width: u32be(b, 16), height: u32be(b, 20) };
  }
  // APNG: an acTL chunk before the first IDAT, announcing more than one frame.
  let pos = 8;
  while (pos + 8 <= b.length) {
    const length = u32be(b, pos);
    const type = ascii(b, pos + 4, 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'acTL' && pos + 12 <= b.length && u32be(b, pos + 8) > 1) result.animated = true;
    pos += 12 + length;
  }
  return result;
}

function sniffGif(b: Uint8Array): SniffedImage {
  const result: SniffedImage = {
    format: FORMATS.gif,
    animated: false,
    size: { width: u16le(b, 6), height: u16le(b, 8) },
  };
  const packed = b[10] ?? 0;
  let pos = 13 + (packed & 0x80 ? 3 * (2 << (packed & 7)) : 0);
  let frames = 0;
  /** Skips a chain of data sub-blocks; returns the position after the terminator, or -1 past the prefix. */
  const skipSubBlocks = (at: number): number => {
    while (at < b.length) {
      const size = b[at]!;
      if (size === 0) return at + 1;
      at += 1 + size;
    }
    return -1;
  };
  while (pos > 0 && pos < b.length) {
    const block = b[pos];
    if (block === 0x2c) {
      frames++;
      if (frames > 1) {
        result.animated = true;
        break;
      }
      const local = b[pos + 9] ?? 0;
      pos += 10 + (local & 0x80 ? 3 * (2 << (local & 7)) : 0);
      pos = skipSubBlocks(pos + 1); // after the LZW minimum code size
    } else if (block === 0x21) {
      pos = skipSubBlocks(pos + 2); // after the extension label
    } else {
      break; // trailer (0x3b) or garbage
    }
  }
  if (!result.size!.width || !result.size!.height) delete result.size;
  return result;
}

function sniffWebp(b: Uint8Array): SniffedImage {
  const result: SniffedImage = { format: FORMATS.webp, animated: false };
  const chunk = ascii(b, 12, 4);
  const data = 20;
  if (chunk === 'VP8X' && b.length >= data + 10) {
    result.animated = (b[data]! & 0x02) !== 0;
    result.size = { width: u24le(b, data + 4) + 1, height: u24le(b, data + 7) + 1 };
  } else if (chunk === 'VP8 ' && b.length >= data + 10 && startsWith(b, [0x9d, 0x01, 0x2a], data + 3)) {
    result.size = { width: u16le(b, data + 6) & 0x3fff, height: u16le(b, data + 8) & 0x3fff };
  } else if (chunk === 'VP8L' && b.length >= data + 5 && b[data] === 0x2f) {
    const bits = u32le(b, data + 1);
    result.size = { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  // An ANIM chunk also means animation, even where the VP8X flag was not set.
  for (let pos = 12; pos + 8 <= b.length;) {
    if (ascii(b, pos, 4) === 'ANIM') result.animated = true;
    pos += 8 + u32le(b, pos + 4) + (u32le(b, pos + 4) & 1);
  }
  if (result.size && (!result.size.width || !result.size.height)) delete result.size;
  return result;
}

function sniffBmp(b: Uint8Array): SniffedImage {
  const headerSize = u32le(b, 14);
  // OS/2 BITMAPCOREHEADER has 16-bit sizes; every later header 32-bit, with a negative height for top-down.
  const size =
    headerSize === 12
      ? { width: u16le(b, 18), height: u16le(b, 20) }
      : { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  return { format: FORMATS.bmp, animated: false, ...(size.width && size.height ? { size } : {}) };
}

/** HEIF-family containers (ISO BMFF): AVIF, which browsers decode, or HEIC/HEIF, which Chromium does not. */
function sniffIsoBmff(b: Uint8Array): SniffedImage | null {
  const boxSize = u32be(b, 0);
  const end = Math.min(b.length, boxSize >= 16 ? boxSize : 16);
  const brands = new Set<string>([ascii(b, 8, 4)]);
  for (let at = 16; at + 4 <= end; at += 4) brands.add(ascii(b, at, 4));
  const has = (...names: string[]) => names.some((n) => brands.has(n));
  if (has('avif', 'avis')) return { format: FORMATS.avif, animated: brands.has('avis') };
  if (has('heic', 'heix', 'hevc', 'hevx', 'heim', 'heis')) return { format: FORMATS.heic, animated: false };
  if (has('mif1', 'msf1')) return { format: FORMATS.heif, animated: false };
  return null; // MP4, QuickTime and the like
}

/** An SVG document: optional BOM, XML declaration, comments and doctype, then an <svg> root. */
export function looksLikeSvg(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(head.subarray(0, 4096))
    .replace(/^\uFEFF/, '');
  // A comment ends at its first `-->` and the declaration at its first `?>`, as in XML. Written with lazy
  // `[\s\S]*?` instead, a comment could also end at any later `-->`, and a prolog of n comments not followed
  // by <svg backtracked through 2^n ways to split it (30 empty comments took seconds, 500 forever).
  return /^\s*(<\?xml(?:[^?]|\?(?!>))*\?>\s*)?(<!--(?:[^-]|-(?!->))*-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>/]/i.test(
    text,
  );
}

/**
 * Whether a file of a format looks complete from its last bytes: a JPEG ends with EOI (a few bytes of padding
 * after it are common), a PNG with IEND. Unknown for other formats. Used only to word a decode failure.
 */
export function looksTruncated(format: ImageFormatId, tail: Uint8Array): boolean | undefined {
  if (format === 'jpeg') {
    for (let i = tail.length - 2; i >= Math.max(0, tail.length - 64); i--) {
      if (tail[i] === 0xff && tail[i + 1] === 0xd9) return false;
    }
    return true;
  }
  if (format === 'png') return !(tail.length >= 8 && ascii(tail, tail.length - 8, 4) === 'IEND');
  return undefined;
}

/** The notice for an animated file: which frame was classified. */
export function animationNotice(sniffed: SniffedImage): string | undefined {
  if (!sniffed.animated) return undefined;
  return `Animated ${sniffed.format.label}: classified its first frame`;
}
