/**
 * Export PNG's picture: the Explain panel's map canvases on one sheet, side by side for a sweep, and saved.
 * The canvases already hold the input with the map over it, so the file is what the page shows.
 */
import { saveToDisk } from '../store/saveToDisk';

/** Between a sweep's maps on the sheet, in pixels. */
export const SHEET_GAP = 8;

export interface SheetLayout {
  width: number;
  height: number;
  /** Each map's left edge; every map's top is the sheet's. */
  xs: number[];
}

/** Maps left to right, `gap` apart, tops aligned: the sheet is as tall as the tallest. */
export function sheetLayout(
  sizes: readonly { width: number; height: number }[],
  gap = SHEET_GAP,
): SheetLayout {
  const xs: number[] = [];
  let x = 0;
  for (const size of sizes) {
    xs.push(x);
    x += size.width + gap;
  }
  return { width: Math.max(0, x - gap), height: Math.max(0, ...sizes.map((s) => s.height)), xs };
}

/** The maps on one canvas (a single map is its own sheet); null when there are none. */
export function paintSheet(canvases: readonly HTMLCanvasElement[]): HTMLCanvasElement | null {
  if (canvases.length <= 1) return canvases[0] ?? null;
  const layout = sheetLayout(canvases);
  const sheet = document.createElement('canvas');
  sheet.width = layout.width;
  sheet.height = layout.height;
  const ctx = sheet.getContext('2d')!;
  canvases.forEach((c, i) => ctx.drawImage(c, layout.xs[i]!, 0));
  return sheet;
}

/** Saves the explanation maps drawn inside `container` as one PNG called `name`; nothing when there are none. */
export function exportMapsPng(container: HTMLElement | null, name: string): void {
  const canvases = [
    ...(container?.querySelectorAll<HTMLCanvasElement>('canvas[data-testid="explain-map"]') ?? []),
  ];
  paintSheet(canvases)?.toBlob((blob) => {
    if (blob) saveToDisk(name, blob, 'image/png');
  }, 'image/png');
}
