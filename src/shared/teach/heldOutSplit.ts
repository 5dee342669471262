/**
 * The held-out split of a labeled set: the images early stopping and the reported accuracy are measured on, kept
 * out of training. Stratified (each class keeps its share) and seeded (one seed, one split).
 */
import { derivedSeed, seededUniform, shuffled } from './seededRandom';

export interface HeldOutSplit {
  /** Indices into the labeled set, ascending; each epoch draws its own order (epochOrder). */
  train: number[];
  heldOut: number[];
}

/** A fifth: enough held-out images to see overfitting in a small set, while four in five still teach. */
export const DEFAULT_HELD_OUT_FRACTION = 0.2;

/**
 * Splits the items whose classes are `labels` (one class index per item). Each class holds out round(n x
 * fraction) of its n items, but at least one and at most n - 1 when it has two or more: every class is then both
 * learned and checked, which a plain 20% would not do for a class of 2 to 4 images. A class of one item trains.
 */
export function heldOutSplit(
  labels: readonly number[],
  seed: number,
  fraction: number = DEFAULT_HELD_OUT_FRACTION,
): HeldOutSplit {
  if (!(fraction > 0 && fraction < 1))
    throw new RangeError(`held-out fraction ${fraction} is not between 0 and 1`);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, index) => {
    const members = byClass.get(label);
    if (members) members.push(index);
    else byClass.set(label, [index]);
  });
  const train: number[] = [];
  const heldOut: number[] = [];
  // Each class draws from its own stream, so adding images to one class leaves the others' split alone.
  for (const [label, members] of byClass) {
    const order = shuffled(members, seededUniform(derivedSeed(seed, 0, label)));
    const count =
      members.length < 2
        ? 0
        : Math.min(members.length - 1, Math.max(1, Math.round(members.length * fraction)));
    heldOut.push(...order.slice(0, count));
    train.push(...order.slice(count));
  }
  return { train: train.sort((a, b) => a - b), heldOut: heldOut.sort((a, b) => a - b) };
}
