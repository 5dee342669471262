/**
 * Deletion and insertion (Petsiuk et al. 2018): remove the most-attributed pixels first (set them to the dataset
 * mean) or insert them into a blurred copy, in equal steps, and follow the class probability. A faithful map
 * makes deletion fall fast (small area under the curve) and insertion rise fast (large area).
 */
import * as tf from '@tensorflow/tfjs-core';

import { FAITHFULNESS_STEPS } from '../shared/explain';
import type { SplitNetwork } from '../model/splitNetwork';
import { inBatches } from './runControl';
import type { RunControl } from './runControl';

export interface FaithfulnessInput {
  network: SplitNetwork;
  x: tf.Tensor4D;
  /** The map at the input's resolution (size x size), row-major; higher means more attributed. */
  saliency: Float32Array;
  classIndex: number;
  control: RunControl;
  steps?: number;
}

export interface Curves {
  deletion: number[];
  insertion: number[];
  deletionAuc: number;
  insertionAuc: number;
}

/** Pixel indices, most attributed first; ties keep index order (a stable sort), so the order is reproducible. */
export function attributionOrder(saliency: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: saliency.length }, (_, i) => i);
  return order.sort((a, b) => saliency[b]! - saliency[a]! || a - b);
}

/** Area under a curve sampled at equal steps over [0, 1] (trapezoid rule). */
export function areaUnderCurve(curve: readonly number[]): number {
  const steps = curve.length - 1;
  if (steps < 1) throw new RangeError('A curve needs at least two points');
  let sum = 0;
  for (const v of curve) sum += v;
  return (sum - (curve[0]! + curve[steps]!) / 2) / steps;
}

/** Gaussian blur (11x11, sigma 5, zero padding), each colour channel on its own: insertion's starting image. */
export function blurred(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const g = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * 5 ** 2)));
    const total = g.reduce((a, b) => a + b, 0);
    const g1 = g.map((v) => v / total);
    const channels = x.shape[3];
    const kernel = new Float32Array(11 * 11 * channels);
    for (let y = 0; y < 11; y++)
      for (let xx = 0; xx < 11; xx++)
        for (let c = 0; c < channels; c++) kernel[(y * 11 + xx) * channels + c] = g1[y]! * g1[xx]!;
    return tf.depthwiseConv2d(x, tf.tensor4d(kernel, [11, 11, channels, 1]), 1, 'same');
  });
}

export async function deletionInsertion({
  network,
  x,
  saliency,
  classIndex,
  control,
  steps = FAITHFULNESS_STEPS,
}: FaithfulnessInput): Promise<Curves> {
  const [, size] = x.shape;
  const pixels = size * size;
  if (saliency.length !== pixels) throw new RangeError(`A ${size}x${size} saliency map has ${pixels} values`);
  const order = attributionOrder(saliency);
  const start = blurred(x);
  // Curve points 0..steps for deletion, then the same for insertion: one list of images, run in batches.
  const points = steps + 1;
  const probabilities = new Float32Array(2 * points);
  try {
    await inBatches(2 * points, control, 'Deletion and insertion', async (first, n) => {
      const masks = new Float32Array(n * pixels);
      for (let i = 0; i < n; i++) {
        const t = (first + i) % points;
        const changed = Math.floor((t * pixels) / steps);
        for (let k = 0; k < changed; k++) masks[i * pixels + order[k]!] = 1;
      }
      const p = tf.tidy(() => {
        const mask = tf.tensor4d(masks, [n, size, size, 1]);
        const kind = Array.from({ length: n }, (_, i) => (first + i < points ? 1 : 0));
        const isDeletion = tf.reshape(tf.tensor1d(kind), [n, 1, 1, 1]);
        // Deletion: x where not yet removed, 0 (the mean) where removed. Insertion: x where inserted, else blur.
        const deleted = tf.mul(x, tf.sub(1, mask));
        const inserted = tf.add(tf.mul(x, mask), tf.mul(start, tf.sub(1, mask)));
        const images = tf.add(tf.mul(isDeletion, deleted), tf.mul(tf.sub(1, isDeletion), inserted));
        return tf.slice(tf.softmax(network.scores(images as tf.Tensor4D)), [0, classIndex], [n, 1]);
      });
      probabilities.set((await p.data()) as Float32Array, first);
      p.dispose();
    });
  } finally {
    start.dispose();
  }
  const deletion = Array.from(probabilities.subarray(0, points));
  const insertion = Array.from(probabilities.subarray(points));
  return {
    deletion,
    insertion,
    deletionAuc: areaUnderCurve(deletion),
    insertionAuc: areaUnderCurve(insertion),
  };
}
