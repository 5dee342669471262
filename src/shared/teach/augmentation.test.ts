import { describe, expect, it } from 'vitest';

import { AUGMENT_VIEWS, augmentedView } from './augmentation';

/** A side x side RGBA image whose red is its column and green its row, blue 7, alpha 255. */
function ramp(side: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) rgba.set([x, y, 7, 255], (y * side + x) * 4);
  return rgba;
}

const pixel = (rgba: Uint8ClampedArray, side: number, x: number, y: number) =>
  Array.from(rgba.subarray((y * side + x) * 4, (y * side + x) * 4 + 4));

describe('augmentation views', () => {
  it('are four fixed views: the mirror, two corner crops and a mirrored centre crop, each inside the image', () => {
    expect(AUGMENT_VIEWS).toHaveLength(4);
    expect(AUGMENT_VIEWS.filter((v) => v.mirror)).toHaveLength(2);
    for (const v of AUGMENT_VIEWS) {
      expect(v.left + v.size).toBeLessThanOrEqual(1);
      expect(v.top + v.size).toBeLessThanOrEqual(1);
    }
  });

  it('mirrors left to right, leaving the rows as they were', () => {
    const side = 10;
    const view = augmentedView(ramp(side), side, { mirror: true, left: 0, top: 0, size: 1 });
    expect(pixel(view, side, 0, 3)).toEqual([9, 3, 7, 255]);
    expect(pixel(view, side, 9, 3)).toEqual([0, 3, 7, 255]);
  });

  it('the whole image unmirrored is the image itself', () => {
    const image = ramp(8);
    expect(augmentedView(image, 8, { mirror: false, left: 0, top: 0, size: 1 })).toEqual(image);
  });

  it('crops a region and scales it back: a linear ramp stays linear, over the region only', () => {
    const side = 100;
    const view = augmentedView(ramp(side), side, { mirror: false, left: 0.2, top: 0.2, size: 0.8 });
    // Output pixel x samples 20 + (x + 0.5) * 0.8 - 0.5.
    expect(pixel(view, side, 0, 0)).toEqual([20, 20, 7, 255]);
    expect(pixel(view, side, 50, 99)).toEqual([60, 99, 7, 255]);
    expect(pixel(view, side, 99, 50)).toEqual([99, 60, 7, 255]);
  });

  it('gives the same bytes every time (no randomness), and refuses a buffer of the wrong size', () => {
    const image = ramp(16);
    for (const v of AUGMENT_VIEWS) expect(augmentedView(image, 16, v)).toEqual(augmentedView(image, 16, v));
    expect(() => augmentedView(new Uint8ClampedArray(5), 16, AUGMENT_VIEWS[0]!)).toThrow(RangeError);
  });
});
