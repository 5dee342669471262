/**
 * Integrated gradients (Sundararajan et al. 2017) from a black image: the input's difference from the baseline
 * times the class score's gradient averaged along the straight path (midpoint rule), summed over colour
 * channels. By completeness the attributions sum to score(input) - score(baseline), less the rule's error.
 */
import * as tf from '@tensorflow/tfjs-core';
// tf.grad needs every op's gradient registered; tfjs-core leaves that to whoever differentiates.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

import { INTEGRATED_GRADIENT_STEPS } from '../shared/explain';
import type { SplitNetwork } from '../model/splitNetwork';
import type { AttributionMap } from './attributionMap';
import { inBatches } from './runControl';
import type { RunControl } from './runControl';
import { classScores } from './stageCam';

export interface IntegratedGradientsInput {
  network: SplitNetwork;
  x: tf.Tensor4D;
  /** The black image, normalized as the model's input is (zero before normalization). */
  baseline: tf.Tensor4D;
  classIndex: number;
  control: RunControl;
  steps?: number;
}

export async function integratedGradients({
  network,
  x,
  baseline,
  classIndex,
  control,
  steps = INTEGRATED_GRADIENT_STEPS,
}: IntegratedGradientsInput): Promise<AttributionMap> {
  const [, height, width] = x.shape;
  const difference = tf.sub(x, baseline) as tf.Tensor4D;
  let gradientSum = tf.zerosLike(x) as tf.Tensor4D;
  try {
    await inBatches(steps, control, 'Integrated gradients: path steps', async (start, n) => {
      const next = tf.tidy(() => {
        const alphas = tf.reshape(
          tf.tensor1d(Array.from({ length: n }, (_, i) => (start + i + 0.5) / steps)),
          [n, 1, 1, 1],
        );
        const path = tf.add(baseline, tf.mul(alphas, difference)) as tf.Tensor4D;
        const grads = tf.grad((p) => classScores(network.scores(p as tf.Tensor4D, true), classIndex))(path);
        return tf.add(gradientSum, tf.sum(grads, 0, true)) as tf.Tensor4D;
      });
      // Read back so the batch is really done before the time is taken (and the cancel checked).
      await next.data();
      gradientSum.dispose();
      gradientSum = next;
    });
    const [map, ends] = tf.tidy(() => [
      tf.sum(tf.mul(difference, tf.div(gradientSum, steps)), [0, 3]),
      tf.slice(network.scores(tf.concat([x, baseline])), [0, classIndex], [2, 1]),
    ]);
    const [values, scores] = (await Promise.all([map!.data(), ends!.data()])) as [Float32Array, Float32Array];
    map!.dispose();
    ends!.dispose();
    let attributionSum = 0;
    for (const v of values) attributionSum += v;
    return {
      height,
      width,
      values,
      completeness: { attributionSum, scoreDifference: scores[0]! - scores[1]! },
    };
  } finally {
    difference.dispose();
    gradientSum.dispose();
  }
}
