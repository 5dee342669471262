import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { confusionMatrix, overallAccuracy, perClassAccuracy, wrongAnswers } from './classMetrics';

describe('confusionMatrix and accuracies', () => {
  it('counts each answer in its true row and predicted column, and answers outside the classes apart', () => {
    const actual = [0, 0, 0, 1, 1, 2];
    const predicted = [0, 0, 1, 1, -1, 0];
    const matrix = confusionMatrix(actual, predicted, 3);
    expect(matrix.counts).toEqual([
      [2, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    expect(matrix.outside).toEqual([0, 1, 0]);
    expect(perClassAccuracy(matrix)).toEqual([2 / 3, 1 / 2, 0]);
    expect(overallAccuracy(matrix)).toBe(3 / 6);
    expect(wrongAnswers(actual, predicted)).toEqual([2, 4, 5]);
  });

  it('has no accuracy for a class, or a set, with no images', () => {
    const matrix = confusionMatrix([0], [0], 2);
    expect(perClassAccuracy(matrix)).toEqual([1, null]);
    expect(overallAccuracy(confusionMatrix([], [], 2))).toBeNull();
  });

  it('refuses classes out of range and lists of different lengths', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([2], [0], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([0], [5], 2)).toThrow(RangeError);
  });

  it('holds every item once, and its overall accuracy is the share of right answers', () => {
    const pairArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: -1, max: 4 })), {
      minLength: 1,
    });
    fc.assert(
      fc.property(pairArb, (pairs) => {
        const actual = pairs.map(([a]) => a);
        const predicted = pairs.map(([, p]) => p);
        const matrix = confusionMatrix(actual, predicted, 5);
        const cells =
          matrix.counts.flat().reduce((s, n) => s + n, 0) + matrix.outside.reduce((s, n) => s + n, 0);
        expect(cells).toBe(pairs.length);
        expect(overallAccuracy(matrix)).toBeCloseTo(
          1 - wrongAnswers(actual, predicted).length / pairs.length,
          12,
        );
      }),
    );
  });
});
