/**
 * Grad-CAM++ (Chattopadhyay et al. 2018) in the closed form pytorch-grad-cam uses:
 * alpha = g^2 / (2 g^2 + sum_ij(A) g^3), zero where g = 0; w_k = sum_ij alpha * ReLU(g).
 */
import * as tf from '@tensorflow/tfjs-core';

import { StageCam } from './stageCam';
import type { WeightsInput } from './stageCam';

export class GradCamPlusPlus extends StageCam {
  readonly method = 'gradcampp';

  protected weights({ activation, gradient }: WeightsInput): tf.Tensor {
    return tf.tidy(() => {
      const g = gradient!;
      const g2 = tf.square(g);
      const g3 = tf.mul(g2, g);
      const activationSum = tf.sum(activation, [0, 1]);
      const denominator = tf.add(tf.mul(g2, 2), tf.mul(activationSum, g3));
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
