/** Export PNG's layout: a sweep's maps side by side with a gap, tops aligned, nothing cut off. */
import { describe, expect, it } from 'vitest';

import { SHEET_GAP, sheetLayout } from './mapSheet';

const square = (side: number) => ({ width: side, height: side });

describe('sheetLayout', () => {
  it("puts a ResNet sweep's five 224-pixel maps side by side, 8 pixels apart", () => {
    expect(SHEET_GAP).toBe(8);
    expect(sheetLayout(Array.from({ length: 5 }, () => square(224)))).toEqual({
      width: 5 * 224 + 4 * 8,
      height: 224,
      xs: [0, 232, 464, 696, 928],
    });
  });

  it('is as tall as the tallest map and as wide as them all', () => {
    expect(sheetLayout([square(10), { width: 20, height: 30 }, square(5)], 2)).toEqual({
      width: 10 + 2 + 20 + 2 + 5,
      height: 30,
      xs: [0, 12, 34],
    });
  });

  it('gives one map the sheet to itself, and none an empty one', () => {
    expect(sheetLayout([square(224)])).toEqual({ width: 224, height: 224, xs: [0] });
    expect(sheetLayout([])).toEqual({ width: 0, height: 0, xs: [] });
  });
});
