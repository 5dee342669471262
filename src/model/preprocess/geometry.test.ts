import { describe, expect, it } from 'vitest';

import { cropRGBA } from '../../testing/preprocessReference';
import { centerCropOffset, planResize } from './geometry';

function gradientRGBA(width: number, height: number): Uint8ClampedArray {
  const px = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      px.set([x % 256, y % 256, (x * 7 + y * 3) % 256, 255], i);
    }
  return px;
}

describe('planResize', () => {
  it('leaves a 256x256 image alone (no resampling)', () => {
    expect(planResize({ width: 256, height: 256 }, 256)).toEqual({ width: 256, height: 256 });
  });
  it('scales the shorter side to 256 and keeps the aspect ratio', () => {
    expect(planResize({ width: 451, height: 300 }, 256)).toEqual({ width: 384, height: 256 });
    expect(planResize({ width: 300, height: 451 }, 256)).toEqual({ width: 256, height: 384 });
    expect(planResize({ width: 512, height: 512 }, 256)).toEqual({ width: 256, height: 256 });
    expect(planResize({ width: 40, height: 900 }, 256)).toEqual({ width: 256, height: 5760 });
    expect(planResize({ width: 1, height: 1 }, 256)).toEqual({ width: 256, height: 256 });
  });
  it('refuses an empty image', () => {
    expect(() => planResize({ width: 0, height: 10 }, 256)).toThrow(/no pixels/);
  });
});

describe('center crop', () => {
  it('crops a 256x256 input to its exact central 224x224 pixels', () => {
    const src = gradientRGBA(256, 256);
    const offset = centerCropOffset({ width: 256, height: 256 }, 224);
    expect(offset).toEqual({ x: 16, y: 16 });
    const crop = cropRGBA(src, { width: 256, height: 256 }, offset, { width: 224, height: 224 });
    for (const [x, y] of [
      [0, 0],
      [223, 0],
      [0, 223],
      [223, 223],
      [100, 57],
    ] as const) {
      const ci = (y * 224 + x) * 4;
      const si = ((y + 16) * 256 + (x + 16)) * 4;
      expect(Array.from(crop.subarray(ci, ci + 4))).toEqual(Array.from(src.subarray(si, si + 4)));
    }
  });
  it('centres the crop along the longer side of a landscape image', () => {
    expect(centerCropOffset({ width: 384, height: 256 }, 224)).toEqual({ x: 80, y: 16 });
    expect(centerCropOffset({ width: 256, height: 5760 }, 224)).toEqual({ x: 16, y: 2768 });
  });
});
