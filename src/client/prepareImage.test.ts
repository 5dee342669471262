import { describe, expect, it } from 'vitest';

import { svgRasterSize } from './prepareImage';

const size = (width: string | null, height: string | null, viewBox: string | null) =>
  svgRasterSize({ width, height, viewBox });

describe('svgRasterSize', () => {
  it('keeps the declared aspect ratio, 512 on the longer side', () => {
    expect(size('200', '100', '0 0 200 100')).toEqual({ width: 512, height: 256 });
    expect(size('30px', '40px', '0 0 3 4')).toEqual({ width: 384, height: 512 });
    // A tiny icon is rendered large (it is vector art), a huge declared size small.
    expect(size('16', '16', '0 0 16 16')).toEqual({ width: 512, height: 512 });
    expect(size('100000', '50000', '0 0 2 1')).toEqual({ width: 512, height: 256 });
  });

  it('takes the aspect ratio from the viewBox when there is no width or height', () => {
    expect(size(null, null, '0 0 300 150')).toEqual({ width: 512, height: 256 });
    expect(size(null, null, '-10 -10, 100 400')).toEqual({ width: 256, height: 1024 });
    expect(size('100%', '100%', '0 0 4 3')).toEqual({ width: 512, height: 384 });
  });

  it('renders an SVG with no size and no viewBox at 512x512, giving it a viewBox of that region', () => {
    expect(size(null, null, null)).toEqual({ width: 512, height: 512, viewBox: '0 0 512 512' });
    expect(size('auto', '50em', 'not a box')).toEqual({ width: 512, height: 512, viewBox: '0 0 512 512' });
  });

  it('gives an SVG with a size but no viewBox one, so its content scales with the raster', () => {
    expect(size('100', '50', null)).toEqual({ width: 512, height: 256, viewBox: '0 0 100 50' });
    expect(size('80', null, null)).toEqual({ width: 512, height: 512, viewBox: '0 0 80 80' });
  });

  it('resolves absolute units', () => {
    expect(size('1in', '48pt', '0 0 1 1')).toEqual({ width: 512, height: 341 });
    expect(size('10mm', '1cm', null)).toEqual({
      width: 512,
      height: 512,
      viewBox: `0 0 ${960 / 25.4} ${96 / 2.54}`,
    });
  });

  it('keeps the shorter side at 256 or more for extreme aspect ratios, up to 4096 on the longer', () => {
    expect(size('40', '900', null)).toEqual({ width: 182, height: 4096, viewBox: '0 0 40 900' });
    expect(size('100', '900', null)).toEqual({ width: 256, height: 2304, viewBox: '0 0 100 900' });
    expect(size(null, null, '0 0 800 100')).toEqual({ width: 2048, height: 256 });
    expect(size(null, null, '0 0 10000 1')).toEqual({ width: 4096, height: 1 });
  });

  it('ignores nonsense sizes and viewBoxes', () => {
    expect(size('-5', '0', '0 0 -1 2')).toEqual({ width: 512, height: 512, viewBox: '0 0 512 512' });
    expect(size('1e400', 'NaN', '0 0 0 0')).toEqual({ width: 512, height: 512, viewBox: '0 0 512 512' });
  });
});
