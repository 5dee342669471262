import { describe, expect, it } from 'vitest';

import {
  LARGE_IMAGE_PIXELS,
  MAX_DECODED_PIXELS,
  decodeFailure,
  planDecode,
  tooLargeMessage,
} from './decodeImage';
import type { DecodePlan } from './decodeImage';
import { sniffImage } from '../shared/imageFormat';
import type { ImageFormatId, SniffedImage } from '../shared/imageFormat';

/** What the sniffer would say about a still image of this format and display size. */
function still(id: ImageFormatId, width: number, height: number): SniffedImage {
  const head: Record<string, number[]> = {
    jpeg: [0xff, 0xd8, 0xff],
    png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    heic: [0, 0, 0, 16, ...[...'ftypheic'].map((c) => c.charCodeAt(0)), 0, 0, 0, 0],
  };
  return { ...sniffImage(new Uint8Array(head[id]!))!, size: { width, height } };
}

/**
 * Chromium's ImageDecoder, as measured: it treats desiredWidth x desiredHeight as a budget of pixels and
 * decodes a JPEG at the largest n/8 scale (n = 1..8) that fits it, or at 1/8 when none does.
 */
function chromiumJpegScale(
  source: { width: number; height: number },
  desired: { width: number; height: number },
) {
  let n = 1;
  for (let k = 8; k >= 1; k--) {
    const w = Math.ceil((source.width * k) / 8);
    const h = Math.ceil((source.height * k) / 8);
    if (w * h <= desired.width * desired.height) {
      n = k;
      break;
    }
  }
  return { width: Math.ceil((source.width * n) / 8), height: Math.ceil((source.height * n) / 8) };
}

describe('planDecode', () => {
  it('decodes at full size what has no header size, and everything up to 4096x4096', () => {
    expect(planDecode(null, 256, true)).toEqual({ kind: 'full' });
    expect(planDecode(still('jpeg', 451, 300), 256, true)).toEqual({ kind: 'full' });
    expect(planDecode(still('png', 4096, 4096), 256, true)).toEqual({ kind: 'full' });
    expect(LARGE_IMAGE_PIXELS).toBe(4096 * 4096);
  });

  it('decodes a 9000x6000 JPEG at a reduced scale, straight to shorter side 256', () => {
    const plan = planDecode(still('jpeg', 9000, 6000), 256, true);
    expect(plan).toMatchObject({
      kind: 'downscale',
      source: { width: 9000, height: 6000 },
      target: { width: 384, height: 256 },
    });
    const decoded = chromiumJpegScale(
      { width: 9000, height: 6000 },
      (plan as { decoderSize: { width: number; height: number } }).decoderSize,
    );
    expect(decoded).toEqual({ width: 1125, height: 750 }); // 1/8: 3.4 MB instead of 216 MB
  });

  it('asks the JPEG decoder for a scale that never leaves the shorter side under the target', () => {
    for (const [width, height] of [
      [4097, 4096],
      [5000, 4000],
      [6000, 4000],
      [8200, 2048],
      [2048, 8193],
      [12000, 9000],
      [40000, 1200],
      [65535, 65535],
    ] as const) {
      const plan = planDecode(still('jpeg', width, height), 256, true);
      if (plan.kind !== 'downscale' || !plan.decoderSize) throw new Error(`${width}x${height}: ${plan.kind}`);
      const decoded = chromiumJpegScale({ width, height }, plan.decoderSize);
      expect(Math.min(decoded.width, decoded.height), `${width}x${height}`).toBeGreaterThanOrEqual(256);
      expect(Math.min(plan.target.width, plan.target.height)).toBe(256);
    }
  });

  it('without a scaling JPEG decoder, a large JPEG is resized while decoding, under the same pixel limit', () => {
    expect(planDecode(still('jpeg', 9000, 6000), 256, false)).toEqual({
      kind: 'downscale',
      source: { width: 9000, height: 6000 },
      target: { width: 384, height: 256 },
    });
    expect(planDecode(still('jpeg', 65535, 65535), 256, false)).toMatchObject({ kind: 'too-large' });
    // With it, the largest JPEG there can be fits.
    expect(planDecode(still('jpeg', 65535, 65535), 256, true)).toMatchObject({ kind: 'downscale' });
  });

  it('refuses a PNG over 100 megapixels before decoding it, and takes one at the limit', () => {
    expect(MAX_DECODED_PIXELS).toBe(100_000_000);
    expect(planDecode(still('png', 20000, 20000), 256, true)).toEqual({
      kind: 'too-large',
      source: { width: 20000, height: 20000 },
      decodedPixels: 400_000_000,
    });
    expect(planDecode(still('png', 10000, 10000), 256, true)).toMatchObject({
      kind: 'downscale',
      target: { width: 256, height: 256 },
    });
  });

  it('frames extreme aspect ratios by the shorter side', () => {
    expect(planDecode(still('png', 1000, 40000), 256, true)).toMatchObject({
      kind: 'downscale',
      target: { width: 256, height: 10240 },
    });
  });
});

describe('tooLargeMessage', () => {
  it('gives the size, the limit and a size that would fit', () => {
    expect(tooLargeMessage('PNG', { width: 20000, height: 20000 }, 400_000_000)).toBe(
      'This PNG image is 20000×20000 pixels (400 megapixels): decoding it would need 400 megapixels in ' +
        'memory, more than the 100 megapixels this page decodes at once. Scale it down to 10000×10000 or ' +
        'less and add it again.',
    );
    expect(tooLargeMessage('GIF', { width: 30000, height: 5000 }, 150_000_000)).toContain('24494×4082');
  });
});

describe('decodeFailure', () => {
  const blob = (text: string, type = '') => new Blob([text], { type });
  const full: DecodePlan = { kind: 'full' };
  const noTail = new Uint8Array(0);

  it('calls a file with no image signature not an image', () => {
    const err = decodeFailure(blob('just text', 'image/jpeg'), null, full, noTail);
    expect(err.code).toBe('undecodable');
    expect(err.message).toBe('This file is not an image the browser can decode (type image/jpeg, 9 bytes).');
  });

  it('names a format the browser cannot decode', () => {
    const err = decodeFailure(blob('x'), still('heic', 4032, 3024), full, noTail);
    expect(err.code).toBe('unsupported');
    expect(err.message).toBe('HEIC images cannot be decoded by this browser; convert it to JPEG or PNG.');
    const pdf = sniffImage(new TextEncoder().encode('%PDF-1.4'))!;
    expect(decodeFailure(blob('x'), pdf, full, noTail).message).toMatch(/^PDF documents cannot be decoded/);
  });

  it('says a JPEG without its end is incomplete, and one with it damaged', () => {
    const cut = decodeFailure(blob('x'.repeat(1234)), still('jpeg', 451, 300), full, new Uint8Array([1, 2]));
    expect(cut.code).toBe('undecodable');
    expect(cut.message).toMatch(
      /^This JPEG file is incomplete: it ends before its image data does \(1,234 bytes\)/,
    );
    const damaged = decodeFailure(blob('x'), still('jpeg', 451, 300), full, new Uint8Array([0xff, 0xd9]));
    expect(damaged.message).toBe('This JPEG file is damaged: the browser could not decode it (1 bytes).');
  });

  it('calls a complete large image that failed to decode at full size too large', () => {
    const plan = planDecode(still('png', 9000, 9000), 256, true);
    const tail = new Uint8Array([...'IEND'].map((c) => c.charCodeAt(0)).concat([0, 0, 0, 0]));
    const err = decodeFailure(
      blob('x'),
      still('png', 9000, 9000),
      plan,
      new Uint8Array([0, 0, 0, 0, ...tail]),
    );
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('9000×9000 pixels (81 megapixels)');
  });
});
