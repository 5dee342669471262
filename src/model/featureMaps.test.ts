import { describe, expect, it } from 'vitest';

import { colormapLUT } from '../shared/colormaps';
import {
  atlasLayout,
  atlasSize,
  channelOrder,
  channelStats,
  lutIndex,
  meanAndStd,
  normalizationRange,
  renderAtlas,
  renderHeatmap,
  upsampleBilinear,
} from './featureMaps';
import type { ActivationMap } from './featureMaps';

/** 2x2 pixels, 3 channels: channel 0 = 0..3, channel 1 = constant 5, channel 2 = 10 * (0..3). */
function handMade(): ActivationMap {
  const data = new Float32Array(2 * 2 * 3);
  for (let p = 0; p < 4; p++) {
    data[p * 3] = p;
    data[p * 3 + 1] = 5;
    data[p * 3 + 2] = 10 * p;
  }
  return { data, height: 2, width: 2, channels: 3 };
}

describe('channel statistics and ordering', () => {
  it('computes per-channel min, max and mean', () => {
    const s = channelStats(handMade());
    expect(Array.from(s.min)).toEqual([0, 5, 0]);
    expect(Array.from(s.max)).toEqual([3, 5, 30]);
    expect(Array.from(s.mean)).toEqual([1.5, 5, 15]);
  });
  it('computes a stage mean and population standard deviation', () => {
    const { mean, std } = meanAndStd(Float32Array.from([1, 2, 3, 4]));
    expect(mean).toBe(2.5);
    expect(std).toBeCloseTo(Math.sqrt(1.25), 12);
  });
  it('orders channels by index or by mean activation (descending)', () => {
    const s = channelStats(handMade());
    expect(channelOrder(s, 'index')).toEqual([0, 1, 2]);
    expect(channelOrder(s, 'mean')).toEqual([2, 1, 0]);
  });
});

describe('normalization', () => {
  it('per channel maps each channel onto the whole scale', () => {
    const s = channelStats(handMade());
    expect(normalizationRange(s, 'channel', 0)).toEqual([0, 3]);
    expect(normalizationRange(s, 'channel', 2)).toEqual([0, 30]);
  });
  it('per stage uses one range for all channels', () => {
    const s = channelStats(handMade());
    expect(normalizationRange(s, 'stage', 0)).toEqual([0, 30]);
    expect(normalizationRange(s, 'stage', 1)).toEqual([0, 30]);
  });
  it('maps values to LUT indices, constant channels to the bottom', () => {
    expect(lutIndex(0, 0, 3)).toBe(0);
    expect(lutIndex(3, 0, 3)).toBe(255);
    expect(lutIndex(1.5, 0, 3)).toBe(128);
    expect(lutIndex(5, 5, 5)).toBe(0);
    expect(lutIndex(-1, 0, 3)).toBe(0);
  });
});

describe('atlas', () => {
  it('lays out 64, 128, 256 and 512 channels in near-square grids', () => {
    const grid = (channels: number, size: number) => {
      const layout = atlasLayout({ data: new Float32Array(0), height: size, width: size, channels }, []);
      return [layout.columns, layout.rows, atlasSize(layout).width];
    };
    expect(grid(64, 56)).toEqual([8, 8, 8 * 57 - 1]);
    expect(grid(128, 28)).toEqual([12, 11, 12 * 29 - 1]);
    expect(grid(256, 14)).toEqual([16, 16, 16 * 15 - 1]);
    expect(grid(512, 7)).toEqual([23, 23, 23 * 8 - 1]);
  });
  it('draws each channel in its tile with the colour map, per channel or per stage', () => {
    const lut = colormapLUT('gray');
    const map = handMade();
    const perChannel = renderAtlas(map, { normalization: 'channel', colormap: 'gray', order: 'index' });
    // 3 channels -> 2 columns x 2 rows of 2x2 tiles with a 1px gap: 5x5 pixels.
    expect([perChannel.width, perChannel.height]).toEqual([5, 5]);
    const px = (img: Uint8ClampedArray, x: number, y: number) =>
      Array.from(img.subarray((y * 5 + x) * 4, (y * 5 + x) * 4 + 4));
    expect(px(perChannel.rgba, 0, 0)).toEqual([lut[0], lut[1], lut[2], 255]); // channel 0, value 0
    expect(px(perChannel.rgba, 1, 1)).toEqual([lut[765], lut[766], lut[767], 255]); // channel 0, value 3 = max
    expect(px(perChannel.rgba, 2, 0)[3]).toBe(0); // the gap is transparent
    expect(px(perChannel.rgba, 4, 4)[3]).toBe(0); // the unused fourth tile too
    const perStage = renderAtlas(map, { normalization: 'stage', colormap: 'gray', order: 'index' });
    const k = lutIndex(3, 0, 30) * 3; // channel 0's max is dim on the stage's scale
    expect(px(perStage.rgba, 1, 1)).toEqual([lut[k], lut[k + 1], lut[k + 2], 255]);
    // Sorted by mean, channel 2 (mean 15) comes first.
    expect(
      renderAtlas(map, { normalization: 'channel', colormap: 'gray', order: 'mean' }).layout.order,
    ).toEqual([2, 1, 0]);
  });
});

describe('upsampling', () => {
  it('upsamples bilinearly with half-pixel centres, keeping constants and corners', () => {
    const src = Float32Array.from([0, 1, 2, 3]); // 2x2
    const out = upsampleBilinear(src, 2, 2, 4, 4);
    expect(out[0]).toBeCloseTo(0);
    expect(out[15]).toBeCloseTo(3);
    expect(out[1]).toBeCloseTo(0.25); // x = 0.25 between 0 and 1
    expect(
      Array.from(upsampleBilinear(new Float32Array(49).fill(2), 7, 7, 224, 224)).every(
        (v) => Math.abs(v - 2) < 1e-6,
      ),
    ).toBe(true);
  });
  it('renders a heat map over its own range', () => {
    const lut = colormapLUT('turbo');
    const img = renderHeatmap(Float32Array.from([1, 3]), 'turbo');
    expect(Array.from(img)).toEqual([lut[0], lut[1], lut[2], 255, lut[765], lut[766], lut[767], 255]);
  });
});
