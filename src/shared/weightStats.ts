/**
 * A model's weights as pictures: the stem's kernels as small RGB tiles (each normalized on its own) and a
 * histogram of each layer's weights, so seeded and trained weights visibly differ. Pure functions over plain
 * arrays, shared by the worker (which reads the weights) and the page (which draws them).
 */

export interface LayerHistogram {
  layer: string;
  min: number;
  max: number;
  /** Weights per bin, `bins` equal bins from min to max. */
  counts: number[];
}

export interface WeightStats {
  /** The stem convolution's kernel, HWIO [k_h, k_w, 3, filters], input channels in RGB order. */
  stemKernel: { data: Float32Array; shape: [number, number, number, number] };
  /** Every convolution's and the dense layer's kernel, input side first. */
  histograms: LayerHistogram[];
}

export const HISTOGRAM_BINS = 32;

export function histogram(layer: string, values: ArrayLike<number>, bins = HISTOGRAM_BINS): LayerHistogram {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (values.length === 0) return { layer, min: 0, max: 0, counts };
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const bin = width > 0 ? Math.floor((values[i]! - min) / width) : 0;
    counts[Math.min(bins - 1, bin)]!++;
  }
  return { layer, min, max, counts };
}

/**
 * The stem's kernels as one RGBA picture: `columns` tiles per row, each filter k_h x k_w scaled by `scale`, its
 * three input channels as red, green and blue, min-max normalized over the filter alone (so a weak filter is as
 * visible as a strong one), with `gap` transparent pixels between tiles.
 */
export function filterTiles(
  kernel: WeightStats['stemKernel'],
  { columns = 8, scale = 4, gap = 2 } = {},
): { rgba: Uint8ClampedArray; width: number; height: number; count: number } {
  const [kh, kw, channels, count] = kernel.shape;
  const rows = Math.ceil(count / columns);
  const tileW = kw * scale;
  const tileH = kh * scale;
  const width = columns * (tileW + gap) - gap;
  const height = rows * (tileH + gap) - gap;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const at = (y: number, x: number, c: number, f: number) =>
    kernel.data[((y * kw + x) * channels + c) * count + f]!;
  for (let f = 0; f < count; f++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let c = 0; c < channels; c++) {
          lo = Math.min(lo, at(y, x, c, f));
          hi = Math.max(hi, at(y, x, c, f));
        }
    const span = hi > lo ? hi - lo : 1;
    const left = (f % columns) * (tileW + gap);
    const top = Math.floor(f / columns) * (tileH + gap);
    for (let py = 0; py < tileH; py++) {
      for (let px = 0; px < tileW; px++) {
        const y = Math.floor(py / scale);
        const x = Math.floor(px / scale);
        const o = ((top + py) * width + left + px) * 4;
        for (let c = 0; c < 3; c++)
          rgba[o + c] = Math.round(((at(y, x, Math.min(c, channels - 1), f) - lo) / span) * 255);
        rgba[o + 3] = 255;
      }
    }
  }
  return { rgba, width, height, count };
}
