/** Limits on k, kept apart from topK.ts so the UI can use them without pulling in TF.js. */
export const MAX_TOP_K = 20;
export const DEFAULT_TOP_K = 5;

export function clampTopK(k: number): number {
  if (!Number.isFinite(k)) return DEFAULT_TOP_K;
  return Math.min(MAX_TOP_K, Math.max(1, Math.round(k)));
}
