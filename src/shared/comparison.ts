/**
 * Side-by-side results of several models on the same images: where they disagree, how often each pair agrees,
 * and how fast each was. Pure functions over plain results, so the store and the tests share them.
 */
import type { Prediction } from './predictions';

/** One model's answer for one image. */
export interface ModelAnswer {
  modelId: string;
  /** Ranked, best first (the top-k the model was asked for). Empty when the model failed on this image. */
  predictions: Prediction[];
  ms: number;
}

/** One image, and every answer the compared models gave for it. */
export interface ComparisonRow {
  fileName: string;
  answers: ModelAnswer[];
}

export interface PairAgreement {
  modelA: string;
  modelB: string;
  /** Fraction of the `n` rows whose top-1 classes are equal; null when n is 0. */
  top1Agreement: number | null;
  /** Mean over the `n` rows of the share of top-5 classes the two have in common; null when n is 0. */
  top5Overlap: number | null;
  /** Rows where both models answered. */
  n: number;
}

/** Classes compared for the top-5 overlap. */
const OVERLAP_DEPTH = 5;

/**
 * The model's answer in a row, or undefined when it has none. An answer without predictions (the model failed on
 * the image) counts as none, so a failure never passes for a disagreement or drags down an agreement.
 */
function answerOf(row: ComparisonRow, modelId: string): ModelAnswer | undefined {
  return row.answers.find((a) => a.modelId === modelId && a.predictions.length > 0);
}

function top1Of(row: ComparisonRow, modelId: string): number | undefined {
  return answerOf(row, modelId)?.predictions[0]?.classIndex;
}

/** True when this model's top-1 differs from another answering model's top-1 in the row. */
export function top1Differs(row: ComparisonRow, modelId: string): boolean {
  const own = top1Of(row, modelId);
  if (own === undefined) return false;
  return row.answers.some(
    (a) => a.modelId !== modelId && a.predictions.length > 0 && a.predictions[0]!.classIndex !== own,
  );
}

/** True when at least two answering models disagree on the top-1. */
export function rowHasDisagreement(row: ComparisonRow): boolean {
  const top1s = new Set(
    row.answers.filter((a) => a.predictions.length > 0).map((a) => a.predictions[0]!.classIndex),
  );
  return top1s.size > 1;
}

/**
 * How often two models agree, over the rows where both answered. The top-5 overlap compares both lists at the
 * same depth, min(5, kA, kB), and divides by that depth: with k = 3 two identical rankings overlap fully (1),
 * rather than being capped at 3/5 by classes that were never asked for.
 */
export function pairAgreement(rows: readonly ComparisonRow[], modelA: string, modelB: string): PairAgreement {
  let n = 0;
  let top1Equal = 0;
  let overlapSum = 0;
  for (const row of rows) {
    const a = answerOf(row, modelA);
    const b = answerOf(row, modelB);
    if (!a || !b) continue;
    n++;
    if (a.predictions[0]!.classIndex === b.predictions[0]!.classIndex) top1Equal++;
    const depth = Math.min(OVERLAP_DEPTH, a.predictions.length, b.predictions.length);
    const topA = new Set(a.predictions.slice(0, depth).map((p) => p.classIndex));
    const shared = b.predictions.slice(0, depth).filter((p) => topA.has(p.classIndex)).length;
    overlapSum += shared / depth;
  }
  return {
    modelA,
    modelB,
    top1Agreement: n === 0 ? null : top1Equal / n,
    top5Overlap: n === 0 ? null : overlapSum / n,
    n,
  };
}

/** The agreement of every unordered pair of `modelIds`, in order: (0,1), (0,2), ..., (1,2), ... */
export function allPairAgreements(
  rows: readonly ComparisonRow[],
  modelIds: readonly string[],
): PairAgreement[] {
  const pairs: PairAgreement[] = [];
  for (let i = 0; i < modelIds.length; i++) {
    for (let j = i + 1; j < modelIds.length; j++) pairs.push(pairAgreement(rows, modelIds[i]!, modelIds[j]!));
  }
  return pairs;
}

/** The model's mean time per image over the rows it answered; null when it answered none. */
export function meanMs(rows: readonly ComparisonRow[], modelId: string): number | null {
  let count = 0;
  let sum = 0;
  for (const row of rows) {
    const answer = answerOf(row, modelId);
    if (!answer) continue;
    count++;
    sum += answer.ms;
  }
  return count === 0 ? null : sum / count;
}

/** The rows with a disagreement first, each group in its original order (a new array). */
export function disagreementsFirst(rows: readonly ComparisonRow[]): ComparisonRow[] {
  const disagreeing = rows.filter(rowHasDisagreement);
  const agreeing = rows.filter((row) => !rowHasDisagreement(row));
  return [...disagreeing, ...agreeing];
}
