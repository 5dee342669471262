import { expect, test } from './test';
import type { Browser, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { addImages, fixture, openApp, predictionsOf, resultFor } from './helpers';

/**
 * Issue #7, "Bad images": every file gets a clear error or a correct result on its own card, and nothing else
 * is affected. The files are made here or by scripts/make_bad_image_fixtures.py (e2e/fixtures/bad/); where an
 * unusual encoding must decode to known pixels, a reference file with exactly those pixels gets the same
 * predictions. ResNet18 on WASM: the weights are random, but identical inputs give identical outputs.
 */

const APP = '?model=resnet18&backend=wasm';
const bad = (name: string) => path.join(path.dirname(fixture('x')), 'bad', name);

interface FileSpec {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

const file = (name: string, mimeType: string, buffer: Buffer | string): FileSpec => ({
  name,
  mimeType,
  buffer: typeof buffer === 'string' ? Buffer.from(buffer) : buffer,
});

/** A committed fixture under another name, so one page can hold it and its reference side by side. */
const fixtureFile = (source: string, name = path.basename(source)): FileSpec => {
  const ext = path.extname(source).slice(1);
  const mimeType = { jpg: 'image/jpeg', tiff: 'image/tiff' }[ext] ?? `image/${ext}`;
  return file(name, mimeType, readFileSync(source));
};

type Predictions = Awaited<ReturnType<typeof predictionsOf>>;

/** Waits for a card to be classified and checks it has its five predictions. */
async function expectClassified(page: Page, name: string): Promise<Predictions> {
  const predictions = await predictionsOf(page, name, 'resnet18');
  expect(predictions, `${name}: five predictions`).toHaveLength(5);
  await expect(resultFor(page, name).getByTestId('error'), `${name}: no error`).toHaveCount(0);
  return predictions;
}

/** Waits for a card's error and checks its code (the message class) and wording. */
async function expectError(page: Page, name: string, code: string, message: RegExp): Promise<void> {
  const card = resultFor(page, name);
  await expect(card, `${name}: error card`).toHaveAttribute('data-status', 'error', { timeout: 120_000 });
  const error = card.getByTestId('error');
  await expect(error, `${name}: role=alert`).toHaveAttribute('role', 'alert');
  await expect(error, `${name}: error code`).toHaveAttribute('data-error-code', code);
  await expect(error, `${name}: message`).toHaveText(message);
  await expect(card.getByTestId('prediction'), `${name}: no predictions`).toHaveCount(0);
}

async function expectNotice(page: Page, name: string, notice: string | null): Promise<void> {
  const element = resultFor(page, name).getByTestId('result-notice');
  if (notice === null) await expect(element, `${name}: no notice`).toHaveCount(0);
  else await expect(element, `${name}: notice`).toHaveText(notice);
}

/** The card's "WxH" source size, as shown in its footer. */
async function expectSourceSize(page: Page, name: string, size: string): Promise<void> {
  await expect(resultFor(page, name).locator('.card__meta'), `${name}: source size`).toContainText(size);
}

/** RGB of the card's thumbnail (made by the engine from the decoded image) at fractional positions. */
async function thumbnailColors(page: Page, name: string, points: [number, number][]): Promise<number[][]> {
  const img = resultFor(page, name).locator('.card__thumb img');
  await expect(img, `${name}: thumbnail`).toHaveAttribute('src', /^blob:/);
  return img.evaluate(async (element, at) => {
    const image = element as HTMLImageElement;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(image, 0, 0);
    return at.map(([fx, fy]) => {
      const x = Math.round(fx * (canvas.width - 1));
      const y = Math.round(fy * (canvas.height - 1));
      return Array.from(ctx.getImageData(x, y, 1, 1).data.subarray(0, 3));
    });
  }, points);
}

async function meanThumbnailColor(page: Page, name: string): Promise<number[]> {
  const grid = Array.from({ length: 100 }, (_, i): [number, number] => [
    (i % 10) / 9,
    Math.floor(i / 10) / 9,
  ]);
  const colors = await thumbnailColors(page, name, grid);
  return [0, 1, 2].map((c) => colors.reduce((sum, rgb) => sum + rgb[c]!, 0) / colors.length);
}

const RED = (rgb: number[]) => rgb[0]! > 170 && rgb[1]! < 90 && rgb[2]! < 90;
const BLUE = (rgb: number[]) => rgb[2]! > 170 && rgb[0]! < 90 && rgb[1]! < 90;
const WHITE = (rgb: number[]) => rgb.every((v) => v > 245);

/** A good photo classified before the bad files and again after: the same answer proves nothing leaked. */
async function classifyGoodPhoto(page: Page, name: string): Promise<Predictions> {
  await addImages(page, fixtureFile(fixture('rocket.jpg'), name));
  return expectClassified(page, name);
}

// ---- Files made here ----------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const v of bytes) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib's adler32_combine: the checksum of A+B from those of A and B and B's length. */
function adler32Combine(a1: number, a2: number, length2: number): number {
  const BASE = 65521;
  const rem = length2 % BASE;
  let sum1 = a1 & 0xffff;
  let sum2 = (rem * sum1) % BASE;
  sum1 += (a2 & 0xffff) + BASE - 1;
  sum2 += ((a1 >>> 16) & 0xffff) + ((a2 >>> 16) & 0xffff) + BASE - rem;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum2 >= BASE * 2) sum2 -= BASE * 2;
  if (sum2 >= BASE) sum2 -= BASE;
  return ((sum2 << 16) | sum1) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/**
 * A one-colour RGB PNG of any size, made in milliseconds: the rows are compressed once in blocks ending in a
 * full flush (which resets the compressor, so every copy of the block is the same bytes) and the block is
 * repeated; 20000x20000 is 1.2 MB.
 */
function flatPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const row = Buffer.alloc(1 + width * 3); // filter byte 0, then the pixels
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const rowsPerBlock = Math.max(1, Math.min(height, Math.floor(4_000_000 / row.length)));
  const deflate = (data: Buffer) =>
    zlib.deflateRawSync(data, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const parts = [Buffer.from([0x78, 0xda])];
  let checksum = 1;
  const append = (rows: number) => {
    const data = Buffer.concat(Array<Buffer>(rows).fill(row));
    const compressed = deflate(data);
    const sum = adler32(data);
    const copies = rows === rowsPerBlock ? Math.floor(height / rowsPerBlock) : 1;
    for (let i = 0; i < copies; i++) {
      parts.push(compressed);
      checksum = adler32Combine(checksum, sum, data.length);
    }
  };
  append(rowsPerBlock);
  if (height % rowsPerBlock) append(height % rowsPerBlock);
  parts.push(zlib.deflateRawSync(Buffer.alloc(0))); // the final, empty block
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(checksum);
  parts.push(trailer);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.concat(parts)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A width x height JPEG, red on top and blue below, encoded by Chromium itself (libjpeg-turbo, 4:2:0 like a
 * camera's) in a page of its own, so the app's page never holds the full-size pixels.
 */
async function redOverBlueJpeg(browser: Browser, width: number, height: number): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    const base64 = await page.evaluate(
      async ([w, h]) => {
        const canvas = new OffscreenCanvas(w, h);
        const ctx = canvas.getContext('2d')!;
        ctx.fillStyle = '#dd2222';
        ctx.fillRect(0, 0, w, h / 2);
        ctx.fillStyle = '#2222dd';
        ctx.fillRect(0, h / 2, w, h - h / 2);
        const bytes = new Uint8Array(
          await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer(),
        );
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000)
          binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(binary);
      },
      [width, height] as const,
    );
    return Buffer.from(base64, 'base64');
  } finally {
    await page.close();
  }
}

/** The JPEG with an EXIF block (APP1, big-endian) whose only tag is Orientation, inserted after the SOI. */
function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.from([
    ...[0x4d, 0x4d, 0, 42, 0, 0, 0, 8], // "MM", 42, IFD0 at 8
    ...[0, 1], // one entry
    ...[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0], // Orientation, SHORT, 1 value
    ...[0, 0, 0, 0], // no next IFD
  ]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const header = Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), header, body, jpeg.subarray(2)]);
}

/** The start of a HEIC file as an iPhone writes it (ftyp heic, compatible mif1/heic; meta box follows). */
function heicHeader(): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from('ftypheic', 'ascii'),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from('mif1heic', 'ascii'),
  ]);
  const meta = Buffer.concat([
    Buffer.from([0, 0, 0, 0x22]),
    Buffer.from('meta', 'ascii'),
    Buffer.alloc(0x22 - 8),
  ]);
  return Buffer.concat([ftyp, meta, Buffer.alloc(4096, 0x5a)]);
}

// ---- Tests --------------------------------------------------------------------------------------------------

test('files that are no image, not whole, or in a format the browser cannot decode get their own clear error', async ({
  page,
}) => {
  await openApp(page, APP);
  const before = await classifyGoodPhoto(page, 'before.jpg');

  const rocket = readFileSync(fixture('rocket.jpg'));
  const photo = readFileSync(bad('photo.png'));
  const xssName = '<img src=x onerror=alert(1)>.heic';
  await addImages(page, [
    file('empty.jpg', 'image/jpeg', Buffer.alloc(0)),
    file('notes.jpg', 'image/jpeg', 'just some text, renamed to .jpg\n'),
    file('cut.jpg', 'image/jpeg', rocket.subarray(0, rocket.length >> 1)),
    file('cut.png', 'image/png', photo.subarray(0, photo.length >> 1)),
    file('IMG_0001.heic', 'image/heic', heicHeader()),
    fixtureFile(bad('image.tiff')),
    file('scan.pdf', 'application/pdf', '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'),
    file(xssName, '', heicHeader()),
  ]);

  await expectError(page, 'empty.jpg', 'empty', /^The file is empty \(0 bytes\)\.$/);
  await expectError(
    page,
    'notes.jpg',
    'undecodable',
    /not an image the browser can decode \(type image\/jpeg, 32 bytes\)/,
  );
  await expectError(
    page,
    'cut.jpg',
    'undecodable',
    /^This JPEG file is incomplete: it ends before its image data does/,
  );
  await expectError(page, 'cut.png', 'undecodable', /^This PNG file is incomplete/);
  await expectError(
    page,
    'IMG_0001.heic',
    'unsupported',
    /^HEIC images cannot be decoded by this browser; convert it to JPEG or PNG\.$/,
  );
  await expectError(page, 'image.tiff', 'unsupported', /^TIFF images cannot be decoded by this browser/);
  await expectError(page, 'scan.pdf', 'unsupported', /^PDF documents cannot be decoded by this browser/);

  // The file name is text, never HTML: it shows as typed and creates no element.
  await expectError(page, xssName, 'unsupported', /^HEIC images/);
  await expect(page.getByText(xssName, { exact: true }), 'the name shown as text').toBeVisible();
  await expect(page.locator('img[src="x"]'), 'no element from the file name').toHaveCount(0);

  const after = await classifyGoodPhoto(page, 'after.jpg');
  expect(after, 'a good image classifies exactly as before the bad ones').toEqual(before);
  await expect(resultFor(page, 'before.jpg'), 'the first card is untouched').toHaveAttribute(
    'data-status',
    'done',
  );
});

test('unusual encodings decode to the right pixels: grayscale, 16-bit, palette, CMYK, alpha onto white, 1x1, 40x900', async ({
  page,
}) => {
  await openApp(page, APP);
  const before = await classifyGoodPhoto(page, 'before.jpg');
  await addImages(page, [
    fixtureFile(bad('photo.png')),
    fixtureFile(bad('gray.png')),
    fixtureFile(bad('gray-ref.png')),
    fixtureFile(bad('gray.jpg')),
    fixtureFile(bad('rgb16.png')),
    fixtureFile(bad('palette.png')),
    fixtureFile(bad('palette-ref.png')),
    fixtureFile(bad('cmyk.jpg')),
    fixtureFile(bad('alpha.png')),
    fixtureFile(bad('alpha-ref.png')),
    file('pixel.png', 'image/png', flatPng(1, 1, [30, 140, 60])),
    file('tall-40x900.png', 'image/png', flatPng(40, 900, [200, 120, 40])),
    file('wide-900x40.png', 'image/png', flatPng(900, 40, [40, 120, 200])),
    // EXIF orientation 6 on a 150x100 JPEG: shown (and classified) as 100x150.
    file('rotated.jpg', 'image/jpeg', withExifOrientation(readFileSync(bad('gray.jpg')), 6)),
  ]);

  const photo = await expectClassified(page, 'photo.png');
  // The comparisons below mean something: different pixels give different predictions.
  expect(photo, 'the photo is not the rocket').not.toEqual(before);
  expect(await expectClassified(page, 'gray.png'), 'grayscale differs from colour').not.toEqual(photo);
  expect(await expectClassified(page, 'gray.png'), 'grayscale PNG = its RGB copy').toEqual(
    await expectClassified(page, 'gray-ref.png'),
  );
  await expectClassified(page, 'gray.jpg');
  expect(await expectClassified(page, 'rgb16.png'), '16-bit PNG = its 8-bit copy').toEqual(photo);
  expect(await expectClassified(page, 'palette.png'), 'palette PNG = its RGB copy').toEqual(
    await expectClassified(page, 'palette-ref.png'),
  );

  // CMYK: colours as in the RGB original (an Adobe CMYK JPEG read without inversion would come out negative).
  await expectClassified(page, 'cmyk.jpg');
  const cmyk = await meanThumbnailColor(page, 'cmyk.jpg');
  const rgb = await meanThumbnailColor(page, 'photo.png');
  for (const c of [0, 1, 2]) expect(Math.abs(cmyk[c]! - rgb[c]!), `CMYK channel ${c} mean`).toBeLessThan(12);

  // Alpha: the transparent right half (red underneath) is composited onto white, exactly like the reference.
  expect(await expectClassified(page, 'alpha.png'), 'PNG with alpha = the same onto white').toEqual(
    await expectClassified(page, 'alpha-ref.png'),
  );
  const [left, right] = await thumbnailColors(page, 'alpha.png', [
    [0.1, 0.5],
    [0.9, 0.5],
  ]);
  expect(WHITE(right!), `transparent half is white, got ${right}`).toBe(true);
  expect(WHITE(left!), 'opaque half is the photo').toBe(false);

  await expectClassified(page, 'pixel.png');
  await expectSourceSize(page, 'pixel.png', '1x1');
  await expectClassified(page, 'tall-40x900.png');
  await expectSourceSize(page, 'tall-40x900.png', '40x900');
  await expectClassified(page, 'wide-900x40.png');
  await expectSourceSize(page, 'wide-900x40.png', '900x40');
  await expectClassified(page, 'rotated.jpg');
  await expectSourceSize(page, 'rotated.jpg', '100x150');
  for (const name of ['gray.png', 'rgb16.png', 'palette.png', 'cmyk.jpg', 'alpha.png', 'pixel.png']) {
    await expectNotice(page, name, null);
  }

  expect(await classifyGoodPhoto(page, 'after.jpg'), 'a good image classifies as before').toEqual(before);
});

test('animated GIF, WebP and PNG: the first frame is classified, and the card says so', async ({ page }) => {
  await openApp(page, APP);
  await addImages(page, [
    fixtureFile(bad('photo.png')),
    fixtureFile(bad('animated.gif')),
    fixtureFile(bad('animated-gif-ref.png')),
    fixtureFile(bad('animated.webp')),
    fixtureFile(bad('animated.png')),
  ]);
  const photo = await expectClassified(page, 'photo.png');
  expect(await expectClassified(page, 'animated.gif'), 'GIF: its first frame').toEqual(
    await expectClassified(page, 'animated-gif-ref.png'),
  );
  await expectNotice(page, 'animated.gif', 'Animated GIF: classified its first frame');
  expect(await expectClassified(page, 'animated.webp'), 'WebP: its first frame').toEqual(photo);
  await expectNotice(page, 'animated.webp', 'Animated WebP: classified its first frame');
  expect(await expectClassified(page, 'animated.png'), 'APNG: its first frame').toEqual(photo);
  await expectNotice(page, 'animated.png', 'Animated PNG: classified its first frame');
  await expectNotice(page, 'photo.png', null);
});

test('SVG is rendered as an image only: no script runs, a missing size is supplied, a broken one is an error', async ({
  page,
}) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await openApp(page, APP);
  const before = await classifyGoodPhoto(page, 'before.jpg');
  const title = await page.title();

  const svg = (body: string, attributes: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ${attributes}>${body}</svg>`;
  const redBlue =
    '<rect width="100" height="100" fill="#dd2222"/><rect x="100" width="100" height="100" fill="#2222dd"/>';
  const scripts =
    '<script>top.__svgScriptRan = true; top.document.title = "svg script ran"; alert("svg script")</script>' +
    '<image href="x" onerror="top.__svgScriptRan = true"/>';
  await addImages(page, [
    file(
      'scripted.svg',
      'image/svg+xml',
      svg(
        redBlue + scripts,
        'width="200" height="100" viewBox="0 0 200 100" onload="top.__svgScriptRan = true"',
      ),
    ),
    // Only a viewBox: 2:1, like its content.
    file('viewbox-only.svg', 'image/svg+xml', svg(redBlue, 'viewBox="0 0 200 100"')),
    // Nothing: the content (green on the left 256 px) is drawn at 1:1 in a 512x512 raster.
    file(
      'no-size.svg',
      'application/octet-stream',
      svg('<rect width="256" height="512" fill="#22aa22"/>', ''),
    ),
    file('broken.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><rect width="10"></svg'),
  ]);

  await expectClassified(page, 'scripted.svg');
  await expectSourceSize(page, 'scripted.svg', '512x256');
  const [red, blue] = await thumbnailColors(page, 'scripted.svg', [
    [0.25, 0.5],
    [0.75, 0.5],
  ]);
  expect(RED(red!) && BLUE(blue!), `rendered red | blue, got ${red} | ${blue}`).toBe(true);

  await expectClassified(page, 'viewbox-only.svg');
  await expectSourceSize(page, 'viewbox-only.svg', '512x256');
  expect(await expectClassified(page, 'viewbox-only.svg'), 'same drawing, same size').toEqual(
    await expectClassified(page, 'scripted.svg'),
  );

  await expectClassified(page, 'no-size.svg');
  await expectSourceSize(page, 'no-size.svg', '512x512');
  const [green, white] = await thumbnailColors(page, 'no-size.svg', [
    [0.25, 0.5],
    [0.75, 0.5],
  ]);
  expect(green![1]! > 140 && green![0]! < 90, `left half green, got ${green}`).toBe(true);
  expect(WHITE(white!), `transparent right half white, got ${white}`).toBe(true);
  for (const name of ['scripted.svg', 'viewbox-only.svg', 'no-size.svg'])
    await expectNotice(page, name, null);

  await expectError(page, 'broken.svg', 'undecodable', /^This SVG file is damaged/);

  // "Look inside" renders the SVG the same way.
  await resultFor(page, 'scripted.svg').getByTestId('inspect-button').click();
  await expect(page.getByTestId('feature-maps'), 'inspector on the SVG').toHaveAttribute(
    'data-status',
    'ready',
    {
      timeout: 120_000,
    },
  );

  expect(
    await page.evaluate(() => 'svgScriptRan' in window || '__svgScriptRan' in window),
    'no SVG script ran',
  ).toBe(false);
  expect(await page.title(), 'title untouched').toBe(title);
  expect(dialogs, 'no dialog').toEqual([]);
  expect(await classifyGoodPhoto(page, 'after.jpg'), 'a good image classifies as before').toEqual(before);
});

test('huge images: a 9000x6000 JPEG is downscaled while decoding (EXIF rotation kept); a 20000x20000 PNG is refused with the limit', async ({
  page,
  browser,
}) => {
  const jpeg = await redOverBlueJpeg(browser, 9000, 6000);
  expect(jpeg.length, 'the 9000x6000 JPEG is small to send').toBeLessThan(3_000_000);
  await openApp(page, APP);
  const before = await classifyGoodPhoto(page, 'before.jpg');

  await addImages(page, [
    file('9000x6000.jpg', 'image/jpeg', jpeg),
    // Orientation 6 (rotate 90° clockwise to display): shown 6000x9000, red on the right.
    file('9000x6000-rotated.jpg', 'image/jpeg', withExifOrientation(jpeg, 6)),
    file('8000x6000.png', 'image/png', flatPng(8000, 6000, [40, 160, 90])),
    file('20000x20000.png', 'image/png', flatPng(20000, 20000, [200, 100, 50])),
    file('30000x30000.png', 'image/png', flatPng(30000, 30000, [200, 100, 50])),
  ]);

  await expectClassified(page, '9000x6000.jpg');
  await expectNotice(page, '9000x6000.jpg', 'Downscaled from 9000×6000 while decoding');
  await expectSourceSize(page, '9000x6000.jpg', '9000x6000');
  const [top, bottom] = await thumbnailColors(page, '9000x6000.jpg', [
    [0.5, 0.1],
    [0.5, 0.9],
  ]);
  expect(RED(top!) && BLUE(bottom!), `red over blue, got ${top} / ${bottom}`).toBe(true);

  await expectClassified(page, '9000x6000-rotated.jpg');
  await expectNotice(page, '9000x6000-rotated.jpg', 'Downscaled from 6000×9000 while decoding');
  await expectSourceSize(page, '9000x6000-rotated.jpg', '6000x9000');
  const [left, right] = await thumbnailColors(page, '9000x6000-rotated.jpg', [
    [0.1, 0.5],
    [0.9, 0.5],
  ]);
  expect(BLUE(left!) && RED(right!), `rotated: blue | red, got ${left} | ${right}`).toBe(true);

  // A PNG cannot be decoded at reduced size, but 48 megapixels is within the limit: resized while decoding.
  await expectClassified(page, '8000x6000.png');
  await expectNotice(page, '8000x6000.png', 'Downscaled from 8000×6000 while decoding');

  await expectError(
    page,
    '20000x20000.png',
    'too-large',
    /^This PNG image is 20000×20000 pixels \(400 megapixels\): .* more than the 100 megapixels this page decodes at once\. Scale it down to 10000×10000 or less/,
  );
  await expectError(
    page,
    '30000x30000.png',
    'too-large',
    /^This PNG image is 30000×30000 pixels \(900 megapixels\)/,
  );

  expect(await classifyGoodPhoto(page, 'after.jpg'), 'a good image classifies as before').toEqual(before);
});
