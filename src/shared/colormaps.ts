/** The colour maps feature maps and heat maps are drawn with, as lookup tables (viridis is colour-blind safe). */
import { rgb } from 'd3-color';
import {
  interpolateGreys,
  interpolateInferno,
  interpolateMagma,
  interpolateTurbo,
  interpolateViridis,
} from 'd3-scale-chromatic';

/** Perceptual colour maps as 256-entry RGB lookup tables, sampled once from d3-scale-chromatic. */

export type Colormap = 'viridis' | 'magma' | 'inferno' | 'turbo' | 'gray';
export const COLORMAPS: readonly Colormap[] = ['viridis', 'magma', 'inferno', 'turbo', 'gray'];

const INTERPOLATORS: Record<Colormap, (t: number) => string> = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  inferno: interpolateInferno,
  turbo: interpolateTurbo,
  // d3's Greys runs white to black; activations read better as black (low) to white (high).
  gray: (t) => interpolateGreys(1 - t),
};

const cache = new Map<Colormap, Uint8ClampedArray>();

/** 256 RGB triplets (768 bytes) for the colour map, low to high. */
export function colormapLUT(name: Colormap): Uint8ClampedArray {
  let lut = cache.get(name);
  if (!lut) {
    lut = new Uint8ClampedArray(256 * 3);
    const interpolate = INTERPOLATORS[name];
    for (let i = 0; i < 256; i++) {
      const c = rgb(interpolate(i / 255));
      lut[i * 3] = c.r;
      lut[i * 3 + 1] = c.g;
      lut[i * 3 + 2] = c.b;
    }
    cache.set(name, lut);
  }
  return lut;
}
