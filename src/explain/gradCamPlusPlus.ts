/**
 * Grad-CAM++ (Chattopadhay et al. 2018) in its two closed forms: the paper's,
 * alpha = g^2 / (2 g^2 + sum_ij(A) g^3), zero where g = 0 or the denominator is 0; and pytorch-grad-cam's, which
 * adds 1e-6 to that denominator (zero where g = 0). Both weigh w_k = sum_ij alpha * ReLU(g).
 */
import * as tf from '@tensorflow/tfjs-core';

import { StageCam } from './stageCam';
import type { WeightsInput } from './stageCam';

/** pytorch-grad-cam's epsilon in alpha's denominator (grad_cam_plusplus.py). */
export const PYTORCH_GRAD_CAM_EPS = 1e-6;

/** The paper's closed form: the map does not change when the class score is scaled. */
export class GradCamPlusPlus extends StageCam {
  readonly method = 'gradcampp';

  protected weights({ activation, gradient }: WeightsInput): tf.Tensor {
    return tf.tidy(() => {
      const g = gradient!;
      const g2 = tf.square(g);
      const denominator = alphaDenominator(activation, g, g2);
      const defined = tf.logicalAnd(tf.notEqual(g, 0), tf.notEqual(denominator, 0));
      // Dividing by 1 where undefined keeps NaN out of the where() (its gradient-free branches still compute).
      const alpha = tf.where(
        defined,
        tf.div(g2, tf.where(defined, denominator, tf.onesLike(g))),
        tf.zerosLike(g),
      );
      return tf.sum(tf.mul(alpha, tf.relu(g)), [0, 1]);
    });
  }
}

/** pytorch-grad-cam's form, with its epsilon: where gradients are small, the epsilon dominates alpha. */
export class GradCamPlusPlusEps extends StageCam {
  readonly method = 'gradcampp-eps';

  protected weights({ activation, gradient }: WeightsInput): tf.Tensor {
    return tf.tidy(() => {
      const g = gradient!;
      const g2 = tf.square(g);
      const denominator = tf.add(alphaDenominator(activation, g, g2), PYTORCH_GRAD_CAM_EPS);
      const alpha = tf.where(tf.notEqual(g, 0), tf.div(g2, denominator), tf.zerosLike(g));
      return tf.sum(tf.mul(alpha, tf.relu(g)), [0, 1]);
    });
  }
}

/** 2 g^2 + sum_ij(A) g^3, per position and channel. */
function alphaDenominator(activation: tf.Tensor, g: tf.Tensor, g2: tf.Tensor): tf.Tensor {
  const activationSum = tf.sum(activation, [0, 1]);
  return tf.add(tf.mul(g2, 2), tf.mul(activationSum, tf.mul(g2, g)));
}
