/** What every explanation method produces: a map over a stage's grid (or the input's), plain numbers. */
import type { Completeness } from '../shared/explain';

export interface AttributionMap {
  height: number;
  width: number;
  /** Row-major, as computed (not normalized). */
  values: Float32Array;
  completeness?: Completeness;
}

/** The map divided by its maximum, so the maximum is 1 (the export format); a map with no positive value stays. */
export function dividedByMax(values: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of values) max = Math.max(max, v);
  if (!(max > 0)) return Float32Array.from(values);
  return values.map((v) => v / max);
}
