/**
 * Occlusion sensitivity (Zeiler & Fergus 2014): a square patch of the dataset mean (zero after normalization)
 * slides over the input; the map is how much the class probability drops with the patch at each place.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { SplitNetwork } from '../model/splitNetwork';
import type { AttributionMap } from './attributionMap';
import { inBatches } from './runControl';
import type { RunControl } from './runControl';

/** The square patch (in input pixels) and how far it moves each step. */
export interface OcclusionOptions {
  patch: number;
  stride: number;
}

/** The page's only setting (it offers no other); the tests also use others, as PyTorch's reference does. */
export const DEFAULT_OCCLUSION: OcclusionOptions = { patch: 32, stride: 16 };

export interface OcclusionInput {
  network: SplitNetwork;
  x: tf.Tensor4D;
  classIndex: number;
  control: RunControl;
  options?: OcclusionOptions;
}

/** Patch corners 0, stride, 2 stride, ... while the patch still fits. */
export function occlusionGrid(size: number, { patch, stride }: OcclusionOptions): number[] {
  if (!Number.isInteger(patch) || !Number.isInteger(stride) || patch < 1 || stride < 1 || patch > size) {
    throw new RangeError(`An occlusion patch of ${patch} moving by ${stride} does not fit ${size} pixels.`);
  }
  const corners: number[] = [];
  for (let c = 0; c + patch <= size; c += stride) corners.push(c);
  return corners;
}

export async function occlusionMap({
  network,
  x,
  classIndex,
  control,
  options = DEFAULT_OCCLUSION,
}: OcclusionInput): Promise<AttributionMap> {
  const [, size] = x.shape;
  const corners = occlusionGrid(size, options);
  const cells = corners.length * corners.length;
  const probability = (batch: tf.Tensor4D) =>
    tf.slice(tf.softmax(network.scores(batch)), [0, classIndex], [batch.shape[0], 1]);
  const clean = tf.tidy(() => probability(x));
  const base = (await clean.data())[0]!;
  clean.dispose();
  const values = new Float32Array(cells);
  await inBatches(cells, control, 'Occlusion: patch positions', async (start, n) => {
    const masks = new Float32Array(n * size * size).fill(1);
    for (let i = 0; i < n; i++) {
      const cell = start + i;
      const top = corners[Math.floor(cell / corners.length)]!;
      const left = corners[cell % corners.length]!;
      for (let y = top; y < top + options.patch; y++) {
        masks.fill(0, i * size * size + y * size + left, i * size * size + y * size + left + options.patch);
      }
    }
    const p = tf.tidy(() => probability(tf.mul(x, tf.tensor4d(masks, [n, size, size, 1])) as tf.Tensor4D));
    const occluded = (await p.data()) as Float32Array;
    p.dispose();
    occluded.forEach((v, i) => (values[start + i] = base - v));
  });
  return { height: corners.length, width: corners.length, values };
}
