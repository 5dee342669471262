/** What a classification returns, and the limits on k; both threads and the UI use these. */
export const MAX_TOP_K = 20;
export const DEFAULT_TOP_K = 5;

export function clampTopK(k: number): number {
  if (!Number.isFinite(k)) return DEFAULT_TOP_K;
  return Math.min(MAX_TOP_K, Math.max(1, Math.round(k)));
}

/** One ranked class of a classification. */
export interface Prediction {
  classIndex: number;
  /** Short class name, e.g. "tabby". */
  label: string;
  /** All WordNet synonyms of the class. */
  synonyms: string;
  probability: number;
}
