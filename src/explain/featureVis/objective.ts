/**
 * What feature visualization maximizes, and one step's gradient of it with respect to the Fourier parameters:
 * parameters to image, transform, the model's own input normalization, the network's differentiable path.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { PreprocessSpec } from '../../model/preprocess/spec';
import type { SplitNetwork } from '../../model/splitNetwork';
import type { FeatureVisTarget } from '../../shared/protocol';
import type { FourierImage } from './fourierImage';
import { Resampler } from './transforms';
import type { TransformValues } from './transforms';

/**
 * A channel's mean activation at a stage's or a block's output, or a class's pre-softmax logit (the request's
 * target).
 */
export type FeatureObjective = FeatureVisTarget;

/** An RGB image [n, h, w, 3] in [0, 1] to the network's input, as the app's preprocessing would make it. */
export function toModelInput(image: tf.Tensor4D, spec: PreprocessSpec): tf.Tensor4D {
  return tf.tidy(() => {
    if (spec.mode === 'caffe') {
      return tf.sub(tf.mul(tf.reverse(image, -1), 255), tf.tensor1d([...spec.meanBGR])) as tf.Tensor4D;
    }
    return tf.div(tf.sub(image, tf.tensor1d([...spec.mean])), tf.tensor1d([...spec.std])) as tf.Tensor4D;
  });
}

/** The objective's value (a scalar) for a normalized input, on the network's differentiable path. */
export function objectiveValue(
  network: SplitNetwork,
  x: tf.Tensor4D,
  objective: FeatureObjective,
): tf.Scalar {
  return tf.tidy(() => {
    if (objective.kind === 'class') {
      const scores = network.scores(x, true);
      return tf.reshape(tf.slice(scores, [0, objective.classIndex], [1, 1]), []) as tf.Scalar;
    }
    const [where, activation] =
      objective.kind === 'block'
        ? [objective.block, network.toBlock(x, objective.block, true)]
        : [objective.stage, network.toStage(x, objective.stage, true)];
    const channels = activation.shape[3];
    if (objective.channel < 0 || objective.channel >= channels) {
      throw new RangeError(`${where} has ${channels} channels, not channel ${objective.channel}`);
    }
    return tf.mean(tf.slice(activation, [0, 0, 0, objective.channel], [-1, -1, -1, 1])) as tf.Scalar;
  });
}

export interface FeatureVisSubject {
  network: SplitNetwork;
  preprocess: PreprocessSpec;
  image: FourierImage;
  objective: FeatureObjective;
}

/**
 * One step: the objective under `transform` and its gradient with respect to `params` (the ascent direction). The
 * caller owns the returned gradient; everything else made here is freed.
 */
export function objectiveGradient(
  subject: FeatureVisSubject,
  params: tf.Tensor4D,
  transform: TransformValues,
): { value: number; gradient: tf.Tensor4D } {
  const { network, preprocess, image, objective } = subject;
  const resampler = new Resampler(image.height, image.width, transform);
  try {
    // In a tidy, so that a step that throws (a target the network does not have) leaves nothing behind.
    const { value, grad } = tf.tidy(() =>
      tf.valueAndGrad((p: tf.Tensor) =>
        objectiveValue(
          network,
          toModelInput(resampler.apply(image.toImage(p as tf.Tensor4D)), preprocess),
          objective,
        ),
      )(params),
    );
    const scalar = value.dataSync()[0]!;
    value.dispose();
    return { value: scalar, gradient: grad as tf.Tensor4D };
  } finally {
    resampler.dispose();
  }
}
