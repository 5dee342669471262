/**
 * Turning activations into pictures: per-channel statistics, tile atlases of every channel of a stage, and
 * class activation maps. Pure TypeScript on typed arrays, so it runs in the worker next to the tensors and
 * is tested exactly in Node.
 */
import { colormapLUT } from '../shared/colormaps';
import type { Colormap } from '../shared/colormaps';
import type { AtlasLayout, ChannelOrder, FeatureMapOptions, Normalization } from '../shared/protocol';

/** One image's activations at one stage, NHWC without the batch axis. */
export interface ActivationMap {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

export interface ChannelStats {
  min: Float32Array;
  max: Float32Array;
  mean: Float32Array;
}

export interface RenderedAtlas {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  layout: AtlasLayout;
  stats: ChannelStats;
}

export function channelStats(map: ActivationMap): ChannelStats {
  const { data, channels } = map;
  const min = new Float32Array(channels).fill(Infinity);
  const max = new Float32Array(channels).fill(-Infinity);
  const sum = new Float64Array(channels);
  for (let i = 0; i < data.length; i++) {
    const c = i % channels;
    const v = data[i]!;
    if (v < min[c]!) min[c] = v;
    if (v > max[c]!) max[c] = v;
    sum[c] = sum[c]! + v;
  }
  const pixels = map.height * map.width;
  const mean = Float32Array.from(sum, (s) => s / pixels);
  return { min, max, mean };
}

/** Mean and population standard deviation, accumulated in float64. */
export function meanAndStd(data: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of data) sum += v;
  const mean = sum / data.length;
  let sq = 0;
  for (const v of data) sq += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(sq / data.length) };
}

export function channelOrder(stats: ChannelStats, order: ChannelOrder): number[] {
  const indices = Array.from(stats.mean, (_, i) => i);
  if (order === 'mean') indices.sort((a, b) => stats.mean[b]! - stats.mean[a]! || a - b);
  return indices;
}

/** A near-square grid, a little wider than tall, so wide screens show it without scrolling. */
export function atlasLayout(map: ActivationMap, order: number[], gap = 1): AtlasLayout {
  const columns = Math.ceil(Math.sqrt(map.channels));
  const rows = Math.ceil(map.channels / columns);
  return { columns, rows, tileWidth: map.width, tileHeight: map.height, gap, order };
}

export function atlasSize(layout: AtlasLayout): { width: number; height: number } {
  return {
    width: layout.columns * (layout.tileWidth + layout.gap) - layout.gap,
    height: layout.rows * (layout.tileHeight + layout.gap) - layout.gap,
  };
}

/** The [lo, hi] range mapped onto the colour map for a channel under a normalization. */
export function normalizationRange(
  stats: ChannelStats,
  normalization: Normalization,
  channel: number,
): [number, number] {
  if (normalization === 'channel') return [stats.min[channel]!, stats.max[channel]!];
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < stats.min.length; c++) {
    lo = Math.min(lo, stats.min[c]!);
    hi = Math.max(hi, stats.max[c]!);
  }
  return [lo, hi];
}

/** Maps v in [lo, hi] to a LUT index; a constant channel (hi == lo) maps to the bottom of the scale. */
export function lutIndex(v: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 0;
  const t = (v - lo) / (hi - lo);
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

/** Every channel of a stage as a tile in one RGBA image. */
export function renderAtlas(map: ActivationMap, options: FeatureMapOptions): RenderedAtlas {
  const stats = channelStats(map);
  const layout = atlasLayout(map, channelOrder(stats, options.order));
  const { width, height } = atlasSize(layout);
  const rgba = new Uint8ClampedArray(width * height * 4);
  const lut = colormapLUT(options.colormap);
  const { data, channels } = map;
  layout.order.forEach((channel, tile) => {
    const [lo, hi] = normalizationRange(stats, options.normalization, channel);
    const x0 = (tile % layout.columns) * (layout.tileWidth + layout.gap);
    const y0 = Math.floor(tile / layout.columns) * (layout.tileHeight + layout.gap);
    for (let y = 0; y < map.height; y++) {
      for (let x = 0; x < map.width; x++) {
        const k = lutIndex(data[(y * map.width + x) * channels + channel]!, lo, hi) * 3;
        const o = ((y0 + y) * width + (x0 + x)) * 4;
        rgba[o] = lut[k]!;
        rgba[o + 1] = lut[k + 1]!;
        rgba[o + 2] = lut[k + 2]!;
        rgba[o + 3] = 255;
      }
    }
  });
  return { rgba, width, height, layout, stats };
}

/** Bilinear resize with half-pixel centres (as image libraries and tf.image.resizeBilinear with halfPixelCenters). */
export function upsampleBilinear(
  src: Float32Array,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const out = new Float32Array(outHeight * outWidth);
  const sy = height / outHeight;
  const sx = width / outWidth;
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fy - y0;
    for (let x = 0; x < outWidth; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, width - 1);
      const wx = fx - x0;
      const top = src[y0 * width + x0]! * (1 - wx) + src[y0 * width + x1]! * wx;
      const bottom = src[y1 * width + x0]! * (1 - wx) + src[y1 * width + x1]! * wx;
      out[y * outWidth + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

/** A heat map image of `values`, normalized to its own min..max, opaque (the page sets the opacity). */
export function renderHeatmap(values: Float32Array, colormap: Colormap): Uint8ClampedArray {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const lut = colormapLUT(colormap);
  const rgba = new Uint8ClampedArray(values.length * 4);
  values.forEach((v, i) => {
    const k = lutIndex(v, lo, hi) * 3;
    rgba.set([lut[k]!, lut[k + 1]!, lut[k + 2]!, 255], i * 4);
  });
  return rgba;
}
