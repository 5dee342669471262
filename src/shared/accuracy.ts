/**
 * A model's accuracy on images whose true class is known (from a labeled folder): top-1 and top-5, the images it
 * got wrong, and which classes it mistook for which.
 */
import type { Prediction } from './predictions';

/** One image as one model classified it; `trueIndex` null when its folder named no class. */
export interface ScoredItem {
  fileName: string;
  trueIndex: number | null;
  /** Ranked, best first; empty when the model failed on the image. */
  predictions: Prediction[];
}

export interface Misclassification {
  fileName: string;
  trueIndex: number;
  predictedIndex: number;
}

/** One cell of the confusion matrix; cells never seen are left out, and correct answers are the diagonal. */
export interface ConfusionCell {
  trueIndex: number;
  predictedIndex: number;
  count: number;
}

export interface Evaluation {
  /** Labeled items the model answered: what the fractions are over. */
  n: number;
  unlabeled: number;
  /** Labeled items the model failed on (no predictions): counted apart, not as wrong. */
  unscored: number;
  top1Correct: number;
  top5Correct: number;
  /** top1Correct / n; null when n is 0. */
  top1: number | null;
  top5: number | null;
  /** The items whose top-1 is wrong, in input order. */
  misclassified: Misclassification[];
  /** By count, most first, then by true and predicted class. */
  confusion: ConfusionCell[];
}

/** Top-5 looks at the first min(5, k) predictions: with k < 5 it is as strict as the ranking the model gave. */
const TOP_N = 5;

/**
 * Scores one model's items. A failed image is not counted wrong: a file no model can decode says nothing about
 * the model, and counting it would make every model look worse alike.
 */
export function evaluate(items: readonly ScoredItem[]): Evaluation {
  let n = 0;
  let unlabeled = 0;
  let unscored = 0;
  let top1Correct = 0;
  let top5Correct = 0;
  const misclassified: Misclassification[] = [];
  const cells = new Map<string, ConfusionCell>();
  for (const item of items) {
    const { trueIndex, predictions } = item;
    if (trueIndex === null) {
      unlabeled++;
      continue;
    }
    const predictedIndex = predictions[0]?.classIndex;
    if (predictedIndex === undefined) {
      unscored++;
      continue;
    }
    n++;
    if (predictedIndex === trueIndex) top1Correct++;
    else misclassified.push({ fileName: item.fileName, trueIndex, predictedIndex });
    if (predictions.slice(0, TOP_N).some((p) => p.classIndex === trueIndex)) top5Correct++;
    const key = `${trueIndex}/${predictedIndex}`;
    const cell = cells.get(key);
    if (cell) cell.count++;
    else cells.set(key, { trueIndex, predictedIndex, count: 1 });
  }
  const confusion = [...cells.values()].sort(
    (a, b) => b.count - a.count || a.trueIndex - b.trueIndex || a.predictedIndex - b.predictedIndex,
  );
  return {
    n,
    unlabeled,
    unscored,
    top1Correct,
    top5Correct,
    top1: n === 0 ? null : top1Correct / n,
    top5: n === 0 ? null : top5Correct / n,
    misclassified,
    confusion,
  };
}
