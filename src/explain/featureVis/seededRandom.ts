/**
 * Seeded random numbers for feature visualization: the initial Fourier parameters and the random transform values.
 * scripts/make_featvis_reference.py implements the same generator, so PyTorch starts from the same numbers.
 */
import { splitMix32 } from '../../shared/splitMix32';

/** SplitMix32 (src/shared/splitMix32.ts) with the draws feature visualization makes of it. */
export class SplitMix32 {
  /** The next unsigned 32-bit integer. */
  readonly nextUint32: () => number;

  constructor(seed: number) {
    this.nextUint32 = splitMix32(seed);
  }

  /** Uniform in the open interval (0, 1): the half keeps log(u) finite. */
  nextUniform(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** An integer in [low, high], both included. */
  nextInt(low: number, high: number): number {
    return low + Math.min(high - low, Math.floor(this.nextUniform() * (high - low + 1)));
  }
}

/**
 * `count` normal samples (mean 0, standard deviation `stddev`) by Box-Muller in float64, two per pair of uniforms
 * (the cosine one first), rounded to float32 only at the end so Python's floats give the same values.
 */
export function seededNormals(count: number, stddev: number, seed: number): Float32Array {
  const random = new SplitMix32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(random.nextUniform()));
    const angle = 2 * Math.PI * random.nextUniform();
    out[i] = stddev * radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = stddev * radius * Math.sin(angle);
  }
  return out;
}
