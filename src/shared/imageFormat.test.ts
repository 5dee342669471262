import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { SNIFF_BYTES, animationNotice, looksLikeSvg, looksTruncated, sniffImage } from './imageFormat';

const E2E_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../e2e/fixtures');
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(E2E_FIXTURES, name)));
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u16le = (n: number) => [n & 255, (n >>> 8) & 255];
const u32le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

/** A JPEG APP1 segment holding a big-endian EXIF block whose IFD0 has only an Orientation tag. */
function exifSegment(orientation: number): number[] {
  const tiff = [
    ...bytes('MM'),
    0,
    42,
    ...u32be(8),
    0,
    1,
    0x01,
    0x12,
    0,
    3,
    ...u32be(1),
    0,
    orientation,
    0,
    0,
  ];
  tiff.push(...u32be(0)); // no next IFD
  const body = [...bytes('Exif\0\0'), ...tiff];
  return [0xff, 0xe1, ((body.length + 2) >> 8) & 255, (body.length + 2) & 255, ...body];
}

/** A minimal baseline JPEG header up to its SOF0: enough for the sniffer, not for a decoder. */
function jpegHeader(width: number, height: number, extra: number[] = []): Uint8Array {
  const sof = [0xff, 0xc0, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3];
  sof.push(1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1);
  return new Uint8Array([0xff, 0xd8, ...extra, 0xff, 0xdb, 0, 4, 0, 0, ...sof, 0xff, 0xda]);
}

function pngChunk(type: string, data: number[]): number[] {
  return [...u32be(data.length), ...bytes(type), ...data, 0, 0, 0, 0]; // the CRC is not checked here
}

function pngHeader(width: number, height: number, before: number[] = []): Uint8Array {
  const ihdr = pngChunk('IHDR', [...u32be(width), ...u32be(height), 8, 6, 0, 0, 0]);
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...ihdr,
    ...before,
    ...pngChunk('IDAT', []),
  ]);
}

function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  return bytes(u32be(size), 'ftyp', major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 0x20], 'meta');
}

describe('sniffImage on real files', () => {
  it('reads a JPEG and its size from the SOF', () => {
    const sniffed = sniffImage(fixture('chelsea.jpg'));
    expect(sniffed?.format.id).toBe('jpeg');
    expect(sniffed?.size).toEqual({ width: 451, height: 300 });
    expect(sniffed?.animated).toBe(false);
  });

  it('reads a PNG and its size from the IHDR', () => {
    expect(sniffImage(fixture('chelsea-256.png'))).toMatchObject({
      format: { id: 'png', label: 'PNG' },
      animated: false,
      size: { width: 256, height: 256 },
    });
  });

  it.each([
    ['bad/gray.png', 'png', 150, 100],
    ['bad/rgb16.png', 'png', 150, 100],
    ['bad/palette.png', 'png', 150, 100],
    ['bad/gray.jpg', 'jpeg', 150, 100],
    ['bad/cmyk.jpg', 'jpeg', 150, 100],
  ])('%s is a still %s of %ix%i', (name, id, width, height) => {
    expect(sniffImage(fixture(name))).toMatchObject({
      format: { id },
      animated: false,
      size: { width, height },
    });
  });

  it.each([
    ['bad/animated.gif', 'gif', 'Animated GIF: classified its first frame'],
    ['bad/animated.webp', 'webp', 'Animated WebP: classified its first frame'],
    ['bad/animated.png', 'png', 'Animated PNG: classified its first frame'],
  ])('%s is animated, and the notice says the first frame was used', (name, id, notice) => {
    const sniffed = sniffImage(fixture(name))!;
    expect(sniffed).toMatchObject({ format: { id }, animated: true, size: { width: 150, height: 100 } });
    expect(animationNotice(sniffed)).toBe(notice);
  });

  it('a GIF is animated only with a second image descriptor, whatever extensions come between', () => {
    // A 1x1 GIF: header, screen descriptor with a 2-colour table, then frames, then the trailer (0x3b).
    const header = [...bytes('GIF89a'), 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
    const graphicControl = [0x21, 0xf9, 4, 0, 10, 0, 0, 0];
    const comment = [0x21, 0xfe, 3, ...bytes('hi!'), 0];
    const frame = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0];
    const gif = (...parts: number[][]) => new Uint8Array([...header, ...parts.flat(), 0x3b]);
    expect(sniffImage(gif(graphicControl, frame))).toMatchObject({
      animated: false,
      size: { width: 1, height: 1 },
    });
    expect(sniffImage(gif(comment, graphicControl, frame, comment))?.animated).toBe(false);
    expect(sniffImage(gif(graphicControl, frame, comment, graphicControl, frame))?.animated).toBe(true);
  });

  it('names TIFF', () => {
    expect(sniffImage(fixture('bad/image.tiff'))?.format).toMatchObject({
      id: 'tiff',
      browserDecodes: false,
    });
  });

  it('still photos get no notice', () => {
    expect(animationNotice(sniffImage(fixture('chelsea.jpg'))!)).toBeUndefined();
  });
});

describe('sniffImage on headers', () => {
  it('applies EXIF orientations 5-8 to the size (the display size), not 1-4', () => {
    for (const orientation of [1, 2, 3, 4]) {
      const sniffed = sniffImage(jpegHeader(9000, 6000, exifSegment(orientation)));
      expect(sniffed).toMatchObject({ orientation, size: { width: 9000, height: 6000 } });
    }
    for (const orientation of [5, 6, 7, 8]) {
      const sniffed = sniffImage(jpegHeader(9000, 6000, exifSegment(orientation)));
      expect(sniffed).toMatchObject({ orientation, size: { width: 6000, height: 9000 } });
    }
  });

  it('finds the SOF of a progressive JPEG behind other segments', () => {
    const header = jpegHeader(640, 480, [0xff, 0xe0, 0, 4, 0, 0]);
    header[header.indexOf(0xc0, 10)] = 0xc2;
    expect(sniffImage(header)?.size).toEqual({ width: 640, height: 480 });
  });

  it('gives no size for a JPEG cut before its SOF, or one whose height comes later (DNL)', () => {
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]))?.size).toBeUndefined();
    expect(sniffImage(jpegHeader(640, 0))?.size).toBeUndefined();
  });

  it('reads a 20000x20000 PNG header without the pixels', () => {
    expect(sniffImage(pngHeader(20000, 20000))?.size).toEqual({ width: 20000, height: 20000 });
  });

  it('tells an APNG by an acTL with more than one frame before the IDAT', () => {
    const actl = (frames: number) => pngChunk('acTL', [...u32be(frames), ...u32be(0)]);
    expect(sniffImage(pngHeader(10, 10, actl(3)))?.animated).toBe(true);
    expect(sniffImage(pngHeader(10, 10, actl(1)))?.animated).toBe(false);
    expect(sniffImage(pngHeader(10, 10))?.animated).toBe(false);
  });

  it('reads the three kinds of WebP header', () => {
    const riff = (chunk: string, data: number[]) =>
      bytes('RIFF', u32le(4 + 8 + data.length), 'WEBP', chunk, u32le(data.length), data);
    // VP8X: flags (animation 0x02), 3 reserved bytes, canvas width-1 and height-1 in 24 bits.
    const vp8x = (flags: number) => riff('VP8X', [flags, 0, 0, 0, 0x27, 0x23, 0, 0x6f, 0x17, 0]);
    expect(sniffImage(vp8x(0x02))).toMatchObject({ animated: true, size: { width: 9000, height: 6000 } });
    expect(sniffImage(vp8x(0x10))).toMatchObject({ animated: false, size: { width: 9000, height: 6000 } });
    // VP8 (lossy): frame tag, start code 9d 01 2a, 14-bit width and height.
    const vp8 = riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...u16le(640), ...u16le(480)]);
    expect(sniffImage(vp8)).toMatchObject({ format: { id: 'webp' }, size: { width: 640, height: 480 } });
    // VP8L (lossless): signature 0x2f, then width-1 and height-1 in 14 bits each.
    const vp8l = riff('VP8L', [0x2f, ...u32le(639 | (479 << 14)), 0]);
    expect(sniffImage(vp8l)).toMatchObject({ format: { id: 'webp' }, size: { width: 640, height: 480 } });
  });

  it('reads a BMP size, top-down or not', () => {
    const bmp = (height: number) =>
      bytes('BM', u32le(0), u32le(0), u32le(54), u32le(40), u32le(300), u32le(height >>> 0));
    expect(sniffImage(bmp(200))).toMatchObject({ format: { id: 'bmp' }, size: { width: 300, height: 200 } });
    expect(sniffImage(bmp(-200))?.size).toEqual({ width: 300, height: 200 });
  });

  it('tells AVIF (decoded) from HEIC and HEIF (not decoded by Chromium), even with shared brands', () => {
    expect(sniffImage(ftyp('avif', 'mif1', 'miaf'))?.format).toMatchObject({
      id: 'avif',
      browserDecodes: true,
    });
    expect(sniffImage(ftyp('mif1', 'avif'))?.format.id).toBe('avif');
    expect(sniffImage(ftyp('avis', 'msf1'))).toMatchObject({ format: { id: 'avif' }, animated: true });
    for (const brand of ['heic', 'heix', 'hevc']) {
      expect(sniffImage(ftyp(brand, 'mif1'))?.format).toMatchObject({
        id: 'heic',
        label: 'HEIC',
        browserDecodes: false,
      });
    }
    expect(sniffImage(ftyp('mif1', 'heic'))?.format.id).toBe('heic');
    expect(sniffImage(ftyp('mif1'))?.format).toMatchObject({ id: 'heif', browserDecodes: false });
    expect(sniffImage(ftyp('msf1'))?.format.id).toBe('heif');
    expect(sniffImage(ftyp('isom', 'mp41'))).toBeNull(); // a video
  });

  it.each([
    ['TIFF little-endian', bytes('II', [42, 0, 8, 0, 0, 0]), 'tiff'],
    ['TIFF big-endian', bytes('MM', [0, 42, 0, 0, 0, 8]), 'tiff'],
    ['BigTIFF', bytes('II', [43, 0, 8, 0, 0, 0]), 'tiff'],
    ['Photoshop', bytes('8BPS', [0, 1]), 'psd'],
    ['PDF', bytes('%PDF-1.7\n'), 'pdf'],
    ['JPEG XL codestream', bytes([0xff, 0x0a, 0, 0]), 'jxl'],
    ['JPEG XL container', bytes([0, 0, 0, 0x0c], 'JXL ', [0x0d, 0x0a, 0x87, 0x0a]), 'jxl'],
  ])('names %s as a format the browser does not decode', (_, head, id) => {
    expect(sniffImage(head)?.format).toMatchObject({ id, browserDecodes: false });
  });

  it('knows ICO, which the browser decodes', () => {
    expect(sniffImage(bytes([0, 0, 1, 0, 1, 0, 16, 16]))?.format).toMatchObject({
      id: 'ico',
      browserDecodes: true,
    });
  });

  it('calls text, HTML, archives and nothing at all no image', () => {
    expect(sniffImage(bytes('just some text, not a JPEG\n'))).toBeNull();
    expect(sniffImage(bytes('<!doctype html><html><svg></svg></html>'))).toBeNull();
    expect(sniffImage(bytes('PK', [3, 4, 20, 0]))).toBeNull();
    expect(sniffImage(new Uint8Array(0))).toBeNull();
    expect(sniffImage(new Uint8Array(SNIFF_BYTES))).toBeNull(); // zeros
  });
});

describe('looksLikeSvg', () => {
  it.each([
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>',
    '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- licence\n text -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg>',
    '  \n<SVG width="10">',
  ])('recognizes %j', (text) => {
    expect(looksLikeSvg(new TextEncoder().encode(text))).toBe(true);
    expect(sniffImage(new TextEncoder().encode(text))?.format.id).toBe('svg');
  });

  it.each(['<html><svg></svg></html>', '<?xml version="1.0"?><rss/>', '<svgfoo/>', 'svg'])(
    'rejects %j',
    (text) => {
      expect(looksLikeSvg(new TextEncoder().encode(text))).toBe(false);
    },
  );
});

describe('looksTruncated', () => {
  const jpeg = fixture('chelsea.jpg');
  const png = fixture('chelsea-256.png');
  const tail = (b: Uint8Array) => b.subarray(Math.max(0, b.length - 64));

  it('sees a JPEG without its EOI marker, and a PNG without IEND', () => {
    expect(looksTruncated('jpeg', tail(jpeg))).toBe(false);
    expect(looksTruncated('jpeg', tail(jpeg.subarray(0, jpeg.length >> 1)))).toBe(true);
    expect(looksTruncated('png', tail(png))).toBe(false);
    expect(looksTruncated('png', tail(png.subarray(0, png.length - 100)))).toBe(true);
  });

  it('allows a few bytes of padding after the EOI', () => {
    expect(looksTruncated('jpeg', tail(new Uint8Array([...jpeg, 0, 0, 0, 0])))).toBe(false);
  });

  it('does not guess for other formats', () => {
    expect(looksTruncated('gif', new Uint8Array(8))).toBeUndefined();
  });
});
