import { describe, expect, it } from 'vitest';

import { truncatedNormal } from './seededNormal';

describe('truncatedNormal', () => {
  it('is reproducible for a seed and different for another', () => {
    expect(truncatedNormal(1000, 1, 5)).toEqual(truncatedNormal(1000, 1, 5));
    expect(truncatedNormal(1000, 1, 5)).not.toEqual(truncatedNormal(1000, 1, 6));
  });

  it('has mean 0, the standard deviation of a normal truncated at 2 sigma and nothing beyond', () => {
    const stddev = 0.05;
    // A unit normal truncated to [-2, 2] has standard deviation 0.8796.
    const truncatedStd = 0.8796256610342398 * stddev;
    const xs = truncatedNormal(1_000_000, stddev, 42);
    let sum = 0;
    let sumSq = 0;
    let max = 0;
    for (const x of xs) {
      sum += x;
      sumSq += x * x;
      max = Math.max(max, Math.abs(x));
    }
    const mean = sum / xs.length;
    const std = Math.sqrt(sumSq / xs.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(stddev * 0.005);
    expect(std / truncatedStd).toBeGreaterThan(0.995);
    expect(std / truncatedStd).toBeLessThan(1.005);
    expect(max).toBeLessThanOrEqual(2 * stddev);
    expect(max).toBeGreaterThan(1.99 * stddev);
    // A truncated normal is flatter than a normal: kurtosis well below 3.
    let m4 = 0;
    for (const x of xs) m4 += ((x - mean) / std) ** 4;
    expect(m4 / xs.length).toBeGreaterThan(2.2);
    expect(m4 / xs.length).toBeLessThan(2.6);
  });
});
