import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { batches, derivedSeed, epochOrder, seededUniform, shuffled } from './seededRandom';

const draw = (seed: number, count: number) => Array.from({ length: count }, seededUniform(seed));

describe('seededUniform', () => {
  it('gives the same stream for a seed and another for another seed', () => {
    expect(draw(7, 100)).toEqual(draw(7, 100));
    expect(draw(7, 100)).not.toEqual(draw(8, 100));
  });

  it('stays in [0, 1) and spreads evenly over it', () => {
    const xs = draw(123, 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const tenths = new Array<number>(10).fill(0);
    for (const x of xs) tenths[Math.floor(x * 10)]! += 1;
    // 10,000 expected per tenth; the binomial's standard deviation is 95, so 500 is five of them.
    for (const count of tenths) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe('derivedSeed', () => {
  it('differs between epochs, uses and seeds, and is the same when asked again', () => {
    const seeds = new Set<number>();
    for (let seed = 0; seed < 10; seed++)
      for (let epoch = 0; epoch < 100; epoch++) seeds.add(derivedSeed(seed, 1, epoch));
    expect(seeds.size).toBe(1000);
    expect(derivedSeed(3, 1, 4)).toBe(derivedSeed(3, 1, 4));
    expect(derivedSeed(3, 1)).not.toBe(derivedSeed(3, 1, 0));
  });
});

describe('shuffled and epochOrder', () => {
  it('is a permutation of its input, which it leaves alone', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer(), (items, seed) => {
        const copy = items.slice();
        const out = shuffled(items, seededUniform(seed));
        expect(items).toEqual(copy);
        expect(out.slice().sort((a, b) => a - b)).toEqual(copy.sort((a, b) => a - b));
      }),
    );
  });

  it('replays an epoch from the seed and orders the next epoch differently', () => {
    const indices = Array.from({ length: 50 }, (_, i) => i * 2);
    expect(epochOrder(indices, 5, 3)).toEqual(epochOrder(indices, 5, 3));
    expect(epochOrder(indices, 5, 3)).not.toEqual(epochOrder(indices, 5, 4));
    expect(epochOrder(indices, 5, 3)).not.toEqual(epochOrder(indices, 6, 3));
  });

  it('puts each item first about equally often (no position bias)', () => {
    const firsts = new Array<number>(4).fill(0);
    for (let epoch = 0; epoch < 4000; epoch++) firsts[epochOrder([0, 1, 2, 3], 9, epoch)[0]!]! += 1;
    // 1,000 expected each; the standard deviation is 27, so 150 is more than five.
    for (const count of firsts) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });
});

describe('batches', () => {
  it('cuts an order into full batches and one of what is left, in order', () => {
    expect(batches([5, 4, 3, 2, 1, 0, 9], 3)).toEqual([[5, 4, 3], [2, 1, 0], [9]]);
    expect(batches([], 3)).toEqual([]);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => batches([1], 0)).toThrow(RangeError);
    expect(() => batches([1], 1.5)).toThrow(RangeError);
  });
});
