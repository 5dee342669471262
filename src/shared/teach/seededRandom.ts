/**
 * Seeded random numbers for teaching a head: the held-out split, each epoch's data order and the head's initial
 * weights, so that one seed gives the same taught model on every backend and every machine.
 */
import { splitMix32 } from '../splitMix32';

/** A stream of uniform numbers in [0, 1) from SplitMix32 (Math.random cannot be seeded). */
export function seededUniform(seed: number): () => number {
  const next = splitMix32(seed);
  return () => next() / 4294967296;
}

/**
 * A seed for one use of a user's seed (the split, epoch 7's order, ...): a hash of the seed and the parts, so that
 * streams for neighbouring epochs are unrelated rather than shifted copies of each other.
 */
export function derivedSeed(seed: number, ...parts: readonly number[]): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  for (const part of [...parts, parts.length]) {
    h = Math.imul(h ^ (part >>> 0), 0x9e3779b1);
    h = (h ^ (h >>> 15)) >>> 0;
    h = Math.imul(h, 0x85ebca77) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h;
}

/** A Fisher-Yates shuffle of a copy of `items`, drawn from `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The order in which one epoch visits the training items: a shuffle of `indices` seeded by the run's seed and the
 * epoch, so a run can be replayed (and checked against another framework) from its seed alone.
 */
export function epochOrder(indices: readonly number[], seed: number, epoch: number): number[] {
  return shuffled(indices, seededUniform(derivedSeed(seed, 1, epoch)));
}

/** `order` cut into mini-batches of `batchSize`; the last one holds what is left, so every item is seen once. */
export function batches(order: readonly number[], batchSize: number): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size ${batchSize} is not a positive integer`);
  const out: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize)
    out.push(order.slice(start, start + batchSize));
  return out;
}
