/**
 * Seeded truncated-normal random numbers, fast enough to initialize 20M weights while a page loads.
 *
 * TF.js's own seeded initializers (seedrandom's Alea feeding Box-Muller with rejection) take about 70 ns a
 * number: most of a second for ResNet18 before the first image can be classified. Here each number is one
 * SplitMix32 step mapped through a tabulated inverse CDF of the truncated normal, a few ns a number, and
 * the same numbers on every backend and every machine.
 */

/** erf to ~1e-15 (a Taylor series: |x| <= 2 / sqrt(2) here, where it converges quickly). */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 60; n++) {
    term *= (-x * x) / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const unitNormalCdf = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));

const TABLE_SIZE = 8192;

/**
 * Quantiles of a unit normal truncated to [-2, 2] at TABLE_SIZE + 1 evenly spaced probabilities, found by
 * bisection. Linear interpolation between them is accurate to ~1e-7 (the inverse CDF is smooth and bounded
 * once the tails are cut off), below float32 resolution of the weights it makes.
 */
const quantiles: Float64Array = (() => {
  const lo = unitNormalCdf(-2);
  const hi = unitNormalCdf(2);
  const table = new Float64Array(TABLE_SIZE + 1);
  for (let i = 0; i <= TABLE_SIZE; i++) {
    const p = lo + ((hi - lo) * i) / TABLE_SIZE;
    let a = -2;
    let b = 2;
    for (let iter = 0; iter < 56; iter++) {
      const mid = 0.5 * (a + b);
      if (unitNormalCdf(mid) < p) a = mid;
      else b = mid;
    }
    table[i] = 0.5 * (a + b);
  }
  table[0] = -2;
  table[TABLE_SIZE] = 2;
  return table;
})();

/**
 * `count` samples of a normal distribution with mean 0 and standard deviation `stddev`, truncated at two
 * standard deviations: TF.js's `truncatedNormal`, which its `heNormal` and `leCunNormal` use. (Unlike current
 * Keras, TF.js does not scale the result back up to the nominal variance: the samples' standard deviation is
 * 0.88 x `stddev`. Deep untrained ResNets are sensitive to that, so we keep TF.js's.)
 */
export function truncatedNormal(count: number, stddev: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    // SplitMix32, inlined (this loop runs 20M times): a small, well-mixed 32-bit generator.
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    const position = (((z ^ (z >>> 16)) >>> 0) / 4294967296) * TABLE_SIZE;
    const index = Math.floor(position);
    const lower = quantiles[index]!;
    out[i] = stddev * (lower + (position - index) * (quantiles[index + 1]! - lower));
  }
  return out;
}
