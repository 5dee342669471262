import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { heldOutSplit } from './heldOutSplit';

/** Class labels of a set of up to 8 classes, in any order. */
const labelsArb = fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 300 });
const countBy = (indices: readonly number[], labels: readonly number[], label: number) =>
  indices.filter((i) => labels[i] === label).length;

describe('heldOutSplit', () => {
  it('splits every item into exactly one side, each side ascending', () => {
    fc.assert(
      fc.property(labelsArb, fc.integer(), (labels, seed) => {
        const { train, heldOut } = heldOutSplit(labels, seed);
        expect([...train, ...heldOut].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
        expect(train).toEqual(train.slice().sort((a, b) => a - b));
        expect(heldOut).toEqual(heldOut.slice().sort((a, b) => a - b));
      }),
    );
  });

  it('trains and checks every class of two or more, and holds out about its share of each', () => {
    fc.assert(
      fc.property(
        labelsArb,
        fc.integer(),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        (labels, seed, fraction) => {
          const { train, heldOut } = heldOutSplit(labels, seed, fraction);
          for (const label of new Set(labels)) {
            const n = countBy(
              labels.map((_, i) => i),
              labels,
              label,
            );
            const held = countBy(heldOut, labels, label);
            if (n < 2) {
              expect(held).toBe(0);
              continue;
            }
            expect(held).toBeGreaterThanOrEqual(1);
            expect(countBy(train, labels, label)).toBeGreaterThanOrEqual(1);
            // Off its share by rounding, or by the clamp to [1, n - 1] in a small class.
            expect(Math.abs(held - n * fraction)).toBeLessThanOrEqual(
              Math.max(0.5, 1 - n * fraction, n * fraction - (n - 1)) + 1e-9,
            );
          }
        },
      ),
    );
  });

  it('gives the same split for the same seed, another for another', () => {
    const labels = Array.from({ length: 200 }, (_, i) => i % 4);
    expect(heldOutSplit(labels, 11)).toEqual(heldOutSplit(labels, 11));
    expect(heldOutSplit(labels, 11).heldOut).not.toEqual(heldOutSplit(labels, 12).heldOut);
  });

  it('holds out 20% by default: 10 of 50 in each class', () => {
    const labels = Array.from({ length: 100 }, (_, i) => i % 2);
    const { heldOut } = heldOutSplit(labels, 1);
    expect(countBy(heldOut, labels, 0)).toBe(10);
    expect(countBy(heldOut, labels, 1)).toBe(10);
  });

  it('keeps one class split the same when another class grows', () => {
    const small = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const grown = [...small, 1, 1, 1, 1, 1];
    const classZero = (labels: number[]) => heldOutSplit(labels, 3).heldOut.filter((i) => labels[i] === 0);
    expect(classZero(grown)).toEqual(classZero(small));
  });

  it('refuses a fraction that leaves nothing on one side', () => {
    for (const fraction of [0, 1, -0.1, Number.NaN])
      expect(() => heldOutSplit([0, 1], 0, fraction)).toThrow(RangeError);
  });
});
