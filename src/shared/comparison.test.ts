import { describe, expect, it } from 'vitest';

import {
  type ComparisonRow,
  type ModelAnswer,
  allPairAgreements,
  disagreementsFirst,
  meanMs,
  pairAgreement,
  rowHasDisagreement,
  top1Differs,
} from './comparison';

/** An answer ranking these classes, best first (probabilities only need to fall). */
function answer(modelId: string, classIndices: number[], ms = 10): ModelAnswer {
  return {
    modelId,
    predictions: classIndices.map((classIndex, rank) => ({
      classIndex,
      label: `class ${classIndex}`,
      synonyms: `class ${classIndex}`,
      probability: 1 / (rank + 2),
    })),
    ms,
  };
}

const row = (fileName: string, ...answers: ModelAnswer[]): ComparisonRow => ({ fileName, answers });

// Three models, four images; C failed on d.jpg (no predictions) and has no answer at all for c.jpg.
const ROWS: ComparisonRow[] = [
  row(
    'a.jpg',
    answer('A', [1, 2, 3, 4, 5], 10),
    answer('B', [1, 3, 2, 9, 8], 20),
    answer('C', [1, 2, 3, 4, 5], 30),
  ),
  row(
    'b.jpg',
    answer('A', [7, 1, 2, 3, 4], 20),
    answer('B', [1, 7, 6, 5, 0], 40),
    answer('C', [7, 1, 2, 3, 4], 60),
  ),
  row('c.jpg', answer('A', [5, 6, 7, 8, 9], 30), answer('B', [5, 6, 7, 8, 9], 60)),
  row('d.jpg', answer('A', [3, 1, 2, 4, 5], 40), answer('B', [4, 3, 2, 1, 0], 80), answer('C', [], 5)),
];

describe('disagreements in a row', () => {
  it('flags the models whose top-1 differs from another answering model', () => {
    const [a, b, c, d] = ROWS;
    expect(['A', 'B', 'C'].map((m) => top1Differs(a!, m))).toEqual([false, false, false]);
    expect(['A', 'B', 'C'].map((m) => top1Differs(b!, m))).toEqual([true, true, true]);
    expect(['A', 'B', 'C'].map((m) => top1Differs(c!, m))).toEqual([false, false, false]);
    // C failed: it differs from nobody, and nobody differs from it.
    expect(['A', 'B', 'C'].map((m) => top1Differs(d!, m))).toEqual([true, true, false]);
    expect(ROWS.map(rowHasDisagreement)).toEqual([false, true, false, true]);
  });

  it('needs two answers to disagree', () => {
    const alone = row('x.jpg', answer('A', [1]), answer('B', []));
    expect(top1Differs(alone, 'A')).toBe(false);
    expect(top1Differs(alone, 'missing')).toBe(false);
    expect(rowHasDisagreement(alone)).toBe(false);
    expect(rowHasDisagreement(row('empty.jpg'))).toBe(false);
  });

  it('sorts the rows with a disagreement first, keeping the original order within each group', () => {
    expect(disagreementsFirst(ROWS).map((r) => r.fileName)).toEqual(['b.jpg', 'd.jpg', 'a.jpg', 'c.jpg']);
    expect(ROWS.map((r) => r.fileName)).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
  });
});

describe('pair agreement', () => {
  it('counts top-1 agreement and top-5 overlap over the rows both answered', () => {
    // A vs B, 4 rows: top-1 equal on a and c. Overlap: a {1,2,3} of 5, b {7,1} of 5, c 5 of 5, d {4,3,2,1}.
    expect(pairAgreement(ROWS, 'A', 'B')).toEqual({
      modelA: 'A',
      modelB: 'B',
      top1Agreement: 2 / 4,
      top5Overlap: (3 / 5 + 2 / 5 + 5 / 5 + 4 / 5) / 4,
      n: 4,
    });
    // A vs C: only a and b (C has no answer for c, and failed on d); identical rankings there.
    expect(pairAgreement(ROWS, 'A', 'C')).toMatchObject({ top1Agreement: 1, top5Overlap: 1, n: 2 });
  });

  it('compares top-k lists shorter than 5 at their common depth', () => {
    const rows = [
      row('a', answer('A', [1, 2, 3]), answer('B', [3, 2, 1])), // depth 3, 3 shared
      row('b', answer('A', [1, 2, 3]), answer('B', [1, 9, 8, 7, 6])), // depth 3: {1,2,3} vs {1,9,8}
      row('c', answer('A', [4]), answer('B', [5, 4])), // depth 1: {4} vs {5}
    ];
    expect(pairAgreement(rows, 'A', 'B')).toMatchObject({
      top1Agreement: 1 / 3,
      top5Overlap: (1 + 1 / 3 + 0) / 3,
      n: 3,
    });
  });

  it('has no agreement to report without a common row', () => {
    expect(pairAgreement(ROWS, 'A', 'nobody')).toEqual({
      modelA: 'A',
      modelB: 'nobody',
      top1Agreement: null,
      top5Overlap: null,
      n: 0,
    });
  });

  it('lists every unordered pair in the given order', () => {
    const pairs = allPairAgreements(ROWS, ['C', 'A', 'B']);
    expect(pairs.map((p) => [p.modelA, p.modelB])).toEqual([
      ['C', 'A'],
      ['C', 'B'],
      ['A', 'B'],
    ]);
    expect(pairs[0]).toMatchObject({ top1Agreement: 1, n: 2 });
    expect(pairs[1]).toMatchObject({ top1Agreement: 1 / 2, top5Overlap: (3 / 5 + 2 / 5) / 2, n: 2 });
    expect(allPairAgreements(ROWS, ['A'])).toEqual([]);
  });
});

describe('mean time', () => {
  it('averages over the rows the model answered', () => {
    expect(meanMs(ROWS, 'A')).toBe(25);
    expect(meanMs(ROWS, 'B')).toBe(50);
    expect(meanMs(ROWS, 'C')).toBe(45); // the failed 5 ms on d.jpg is not an answer
    expect(meanMs(ROWS, 'nobody')).toBeNull();
  });
});
