/**
 * Fuzzes the image sniffers with mutated image headers, real files, SVG prologs and random bytes: they must
 * never throw, must answer quickly, and any size they report must be made of finite non-negative integers.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  FUZZ_TIMEOUT_MS,
  FuzzRecorder,
  type Seed,
  concatBytes,
  fuzzParameters,
  hexPreview,
  mutatedSeed,
  shortPrinted,
  utf8,
} from '../testing/fuzz';
import {
  type ImageFormatId,
  SNIFF_BYTES,
  animationNotice,
  looksLikeSvg,
  looksTruncated,
  sniffImage,
} from './imageFormat';

const FORMAT_IDS: ImageFormatId[] = [
  'jpeg',
  'png',
  'gif',
  'webp',
  'bmp',
  'ico',
  'avif',
  'svg',
  'heic',
  'heif',
  'tiff',
  'psd',
  'pdf',
  'jxl',
];

const e2eFixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../e2e/fixtures/${name}`, import.meta.url))).subarray(
    0,
    SNIFF_BYTES,
  );

const bytes = (...parts: Array<string | number[]>) =>
  concatBytes(...parts.map((p) => (typeof p === 'string' ? utf8(p) : new Uint8Array(p))));
const u16be = (n: number) => [(n >>> 8) & 255, n & 255];
const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u16le = (n: number) => [n & 255, (n >>> 8) & 255];
const u32le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

/** Small valid headers of every format the sniffer knows, each with the structure it walks. */
function constructedSeeds(): Uint8Array[] {
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
    6,
    0,
    0,
    ...u32be(0),
  ];
  const exifBody = [...bytes('Exif\0\0'), ...tiff];
  const app1 = [0xff, 0xe1, ...u16be(exifBody.length + 2), ...exifBody];
  const sof = [0xff, 0xc0, 0, 17, 8, ...u16be(300), ...u16be(451), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const jpeg = bytes([0xff, 0xd8, ...app1, 0xff, 0xdb, 0, 4, 0, 0, ...sof, 0xff, 0xda, 0, 2, 0xff, 0xd9]);
  const chunk = (type: string, data: number[]) => [
    ...u32be(data.length),
    ...bytes(type),
    ...data,
    0,
    0,
    0,
    0,
  ];
  const png = bytes(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    chunk('IHDR', [...u32be(150), ...u32be(100), 8, 6, 0, 0, 0]),
    chunk('acTL', [...u32be(2), ...u32be(0)]),
    chunk('IDAT', [1, 2, 3]),
    chunk('IEND', []),
  );
  const frame = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x81, 0, 0, 0, 255, 255, 255, 2, 2, 0x44, 0x01, 0];
  const gif = bytes(
    'GIF89a',
    [1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255],
    [0x21, 0xf9, 4, 0, 10, 0, 0, 0],
    frame,
    [0x21, 0xfe, 3, 104, 105, 33, 0],
    frame,
    [0x3b],
  );
  const riff = (body: Uint8Array) => bytes('RIFF', u32le(body.length + 4), 'WEBP', [...body]);
  const vp8x = riff(
    bytes(
      'VP8X',
      u32le(10),
      [0x12, 0, 0, 0, 149, 0, 0, 99, 0, 0],
      'ANIM',
      u32le(6),
      [0, 0, 0, 0, 0, 0],
      'ANMF',
      u32le(0),
    ),
  );
  const vp8 = riff(bytes('VP8 ', u32le(10), [0, 0, 0, 0x9d, 0x01, 0x2a, ...u16le(150), ...u16le(100)]));
  const vp8l = riff(bytes('VP8L', u32le(5), [0x2f, ...u32le(149 | (99 << 14))]));
  const bmp = bytes(
    'BM',
    u32le(70),
    u32le(0),
    u32le(54),
    u32le(40),
    u32le(150),
    u32le(-100 >>> 0),
    u16le(1),
    u16le(24),
    u32le(0),
  );
  const os2 = bytes(
    'BM',
    u32le(70),
    u32le(0),
    u32le(26),
    u32le(12),
    u16le(150),
    u16le(100),
    u16le(1),
    u16le(24),
  );
  const ftyp = (major: string, ...compatible: string[]) =>
    bytes(
      u32be(16 + 4 * compatible.length),
      'ftyp',
      major,
      [0, 0, 0, 0],
      ...compatible,
      [0, 0, 0, 0x20],
      'meta',
    );
  return [
    jpeg,
    png,
    gif,
    vp8x,
    vp8,
    vp8l,
    bmp,
    os2,
    ftyp('avif', 'mif1', 'avis'),
    ftyp('heic', 'mif1'),
    ftyp('mif1'),
    ftyp('isom', 'mp41'),
    bytes([0x49, 0x49, 0x2a, 0], tiff),
    bytes([0x4d, 0x4d, 0, 0x2b], tiff),
    bytes('8BPS', [0, 1]),
    bytes('%PDF-1.7\n'),
    bytes([0xff, 0x0a, 0, 0]),
    bytes([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a]),
    bytes([0, 0, 1, 0, 1, 0, 16, 16, 0, 0]),
    bytes(
      '\uFEFF<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
    ),
  ];
}

const SEEDS: Seed[] = [
  ...constructedSeeds().map((b) => ({ bytes: b })),
  ...[
    'chelsea.jpg',
    'chelsea-256.png',
    'bad/animated.gif',
    'bad/animated.webp',
    'bad/animated.png',
    'bad/cmyk.jpg',
    'bad/image.tiff',
  ].map((name) => ({ bytes: e2eFixture(name).subarray(0, 4096) })),
];

/** SVG prologs built from the pieces the SVG pattern matches, some repeated many times over. */
const SVG_PIECES = [
  '<?xml version="1.0"?>',
  '<?xml',
  '?>',
  '<!---->',
  '<!-- a -->',
  '<!--',
  '-->',
  '<!DOCTYPE svg>',
  '<!DOCTYPE',
  ' ',
  '\n',
  '<svg>',
  '<svg',
  'x',
  '\uFEFF',
  '-',
];
const svgProlog = fc
  .record({
    head: fc.array(fc.constantFrom(...SVG_PIECES), { maxLength: 6 }),
    repeated: fc.array(fc.constantFrom(...SVG_PIECES), { minLength: 1, maxLength: 3 }),
    times: fc.integer({ min: 1, max: 600 }),
    tail: fc.array(fc.constantFrom(...SVG_PIECES), { maxLength: 4 }),
  })
  .map(({ head, repeated, times, tail }) =>
    utf8(head.join('') + repeated.join('').repeat(times) + tail.join('')),
  );

const anyHead = shortPrinted(
  fc.oneof(
    { weight: 6, arbitrary: mutatedSeed(SEEDS) },
    { weight: 2, arbitrary: svgProlog },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 4096, maxLength: 8192 }) },
  ),
);

const isSizeNumber = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

describe('image sniffers fuzz', () => {
  it(
    'fuzz: sniffImage, looksLikeSvg, looksTruncated and animationNotice never throw, and answer quickly',
    () => {
      const recorder = new FuzzRecorder(
        'imageFormat (sniffImage + looksLikeSvg + looksTruncated + animationNotice)',
        () => false,
      );
      fc.assert(
        fc.property(anyHead, (head) => {
          const outcome = recorder.run(
            () => {
              const sniffed = sniffImage(head);
              const svg = looksLikeSvg(head);
              const truncated = FORMAT_IDS.map((id) => looksTruncated(id, head));
              const notice = sniffed ? animationNotice(sniffed) : undefined;
              return { sniffed, svg, truncated, notice };
            },
            () => hexPreview(head),
          );
          if (!outcome.ok) return;
          const { sniffed, svg, truncated, notice } = outcome.value;
          expect(typeof svg).toBe('boolean');
          for (const answer of truncated) expect([true, false, undefined]).toContain(answer);
          if (sniffed === null) return;
          expect(FORMAT_IDS).toContain(sniffed.format.id);
          expect(typeof sniffed.animated).toBe('boolean');
          if (sniffed.size) {
            expect(
              isSizeNumber(sniffed.size.width) && isSizeNumber(sniffed.size.height),
              JSON.stringify(sniffed.size),
            ).toBe(true);
          }
          if (sniffed.orientation !== undefined) expect(sniffed.orientation).toBeGreaterThanOrEqual(1);
          if (sniffed.orientation !== undefined) expect(sniffed.orientation).toBeLessThanOrEqual(8);
          expect(notice === undefined || typeof notice === 'string').toBe(true);
        }),
        fuzzParameters(),
      );
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});
