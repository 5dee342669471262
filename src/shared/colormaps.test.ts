/** The colour maps' lookup tables: every map offered has one, and cividis runs from dark blue to yellow. */
import { describe, expect, it } from 'vitest';

import { COLORBLIND_SAFE, COLORMAPS, colormapLUT } from './colormaps';

describe('colormaps', () => {
  it('has a 256-entry RGB table for every map offered, colour-blind safe ones included', () => {
    for (const name of COLORMAPS) expect(colormapLUT(name), name).toHaveLength(256 * 3);
    for (const name of COLORBLIND_SAFE) expect(COLORMAPS).toContain(name);
    expect([...COLORBLIND_SAFE].sort()).toEqual(['cividis', 'viridis']);
  });

  it('runs cividis from dark blue (low) to yellow (high), brighter all the way', () => {
    const lut = colormapLUT('cividis');
    expect([...lut.slice(0, 3)]).toEqual([0, 32, 81]);
    expect([...lut.slice(255 * 3)]).toEqual([253, 234, 69]);
    const luma = (i: number) => 0.2126 * lut[i * 3]! + 0.7152 * lut[i * 3 + 1]! + 0.0722 * lut[i * 3 + 2]!;
    for (let i = 1; i < 256; i++) expect(luma(i)).toBeGreaterThanOrEqual(luma(i - 1) - 0.5);
  });
});
