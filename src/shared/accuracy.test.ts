import { describe, expect, it } from 'vitest';

import { type ScoredItem, evaluate } from './accuracy';

/** An item whose model ranked these classes, best first. */
function item(fileName: string, trueIndex: number | null, ranked: number[]): ScoredItem {
  return {
    fileName,
    trueIndex,
    predictions: ranked.map((classIndex, rank) => ({
      classIndex,
      label: `class ${classIndex}`,
      synonyms: `class ${classIndex}`,
      probability: 1 / (rank + 2),
    })),
  };
}

describe('evaluate', () => {
  it('counts top-1 and top-5 hits over the labeled items', () => {
    const result = evaluate([
      item('a.jpg', 1, [1, 2, 3, 4, 5]), // top-1 hit
      item('b.jpg', 1, [2, 1, 3, 4, 5]), // top-5 hit
      item('c.jpg', 2, [1, 3, 4, 5, 6, 2]), // rank 6: a miss for both
      item('d.jpg', 2, [1, 3, 4, 5, 2]), // rank 5: top-5 hit
      item('e.jpg', 3, [3, 1, 2, 4, 5]), // top-1 hit
      item('f.jpg', null, [3, 1, 2, 4, 5]), // unlabeled
      item('g.jpg', 1, []), // the model failed on it
    ]);
    expect(result).toEqual({
      n: 5,
      unlabeled: 1,
      unscored: 1,
      top1Correct: 2,
      top5Correct: 4,
      top1: 2 / 5,
      top5: 4 / 5,
      misclassified: [
        { fileName: 'b.jpg', trueIndex: 1, predictedIndex: 2 },
        { fileName: 'c.jpg', trueIndex: 2, predictedIndex: 1 },
        { fileName: 'd.jpg', trueIndex: 2, predictedIndex: 1 },
      ],
      confusion: [
        { trueIndex: 2, predictedIndex: 1, count: 2 },
        { trueIndex: 1, predictedIndex: 1, count: 1 },
        { trueIndex: 1, predictedIndex: 2, count: 1 },
        { trueIndex: 3, predictedIndex: 3, count: 1 },
      ],
    });
  });

  it('sorts the confusion by count, then true class, then predicted class', () => {
    const { confusion } = evaluate([
      item('1', 9, [4]),
      item('2', 5, [8]),
      item('3', 5, [6]),
      item('4', 9, [4]),
      item('5', 0, [0]),
      item('6', 5, [6]),
      item('7', 5, [7]),
    ]);
    expect(confusion.map((c) => [c.trueIndex, c.predictedIndex, c.count])).toEqual([
      [5, 6, 2],
      [9, 4, 2],
      [0, 0, 1],
      [5, 7, 1],
      [5, 8, 1],
    ]);
  });

  it('with k below 5, top-5 looks only at the predictions there are', () => {
    const result = evaluate([item('a', 3, [1, 2]), item('b', 2, [1, 2]), item('c', 1, [1])]);
    expect(result).toMatchObject({ n: 3, top1Correct: 1, top5Correct: 2, top1: 1 / 3, top5: 2 / 3 });
  });

  it('has no fractions without labeled answers', () => {
    expect(evaluate([])).toEqual({
      n: 0,
      unlabeled: 0,
      unscored: 0,
      top1Correct: 0,
      top5Correct: 0,
      top1: null,
      top5: null,
      misclassified: [],
      confusion: [],
    });
    expect(evaluate([item('a', null, [1]), item('b', 4, [])])).toMatchObject({
      n: 0,
      unlabeled: 1,
      unscored: 1,
      top1: null,
      top5: null,
    });
  });
});
