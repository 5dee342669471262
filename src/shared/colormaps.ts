/** The colour maps feature maps and heat maps are drawn with, as lookup tables (viridis and cividis are colour-blind safe). */
import { rgb } from 'd3-color';
import {
  interpolateCividis,
  interpolateGreys,
  interpolateInferno,
  interpolateMagma,
  interpolateTurbo,
  interpolateViridis,
} from 'd3-scale-chromatic';

/** Perceptual colour maps as 256-entry RGB lookup tables, sampled once from d3-scale-chromatic. */

export type Colormap = 'viridis' | 'cividis' | 'magma' | 'inferno' | 'turbo' | 'gray';
export const COLORMAPS: readonly Colormap[] = ['viridis', 'cividis', 'magma', 'inferno', 'turbo', 'gray'];

/**
 * The maps that stay readable with the common colour-vision deficiencies: viridis, and cividis, which was
 * optimized for deuteranopia and protanopia (Nuñez et al. 2018). Turbo's red-green run is the opposite.
 */
export const COLORBLIND_SAFE: ReadonlySet<Colormap> = new Set<Colormap>(['viridis', 'cividis']);

const INTERPOLATORS: Record<Colormap, (t: number) => string> = {
  viridis: interpolateViridis,
  cividis: interpolateCividis,
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
