/**
 * SplitMix32, the one seeded generator the app's replayable randomness is drawn from (a taught head's split and
 * order, feature visualization's start and transforms): plain integer arithmetic, so a seed gives the same stream
 * in every JavaScript engine, and the Python reference scripts can repeat it number for number.
 */

/** A stream of unsigned 32-bit integers from `seed`. */
export function splitMix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}
