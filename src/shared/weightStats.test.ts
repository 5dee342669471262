import { describe, expect, it } from 'vitest';

import { filterTiles, histogram } from './weightStats';

describe('histogram', () => {
  it('counts every value in equal bins from the smallest to the largest', () => {
    const h = histogram('conv', [0, 0.1, 0.5, 0.99, 1], 4);
    expect(h).toEqual({ layer: 'conv', min: 0, max: 1, counts: [2, 0, 1, 2] });
    expect(histogram('flat', [2, 2, 2], 3).counts).toEqual([3, 0, 0]);
  });
});

describe('filterTiles', () => {
  it('draws each filter normalized on its own, channels as red, green and blue', () => {
    // Two 1x1 filters over RGB, HWIO: filter 0 is (1, 2, 3), filter 1 is (-10, 0, 10).
    const data = new Float32Array([1, -10, 2, 0, 3, 10]);
    const { rgba, width, height, count } = filterTiles(
      { data, shape: [1, 1, 3, 2] },
      { columns: 2, scale: 1, gap: 1 },
    );
    expect([width, height, count]).toEqual([3, 1, 2]);
    expect([...rgba.slice(0, 4)]).toEqual([0, 128, 255, 255]);
    expect([...rgba.slice(4, 8)]).toEqual([0, 0, 0, 0]); // the gap
    expect([...rgba.slice(8, 12)]).toEqual([0, 128, 255, 255]);
  });
});
