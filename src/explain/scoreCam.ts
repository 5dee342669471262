/**
 * Score-CAM (Wang et al. 2020): each channel, upsampled to the input and min-max normalized, masks the input; its
 * weight is the class's softmax probability for the masked input. Needs one forward pass per channel, batched.
 */
import * as tf from '@tensorflow/tfjs-core';

import { inBatches } from './runControl';
import { StageCam } from './stageCam';
import type { WeightsInput } from './stageCam';

export class ScoreCam extends StageCam {
  readonly method = 'scorecam';
  protected override readonly needsGradient = false;

  protected async weights({ network, x, activation, classIndex, control }: WeightsInput): Promise<tf.Tensor> {
    const [, size, ,] = x.shape;
    const [height, width, channels] = activation.shape;
    // [K, h, w, 1]: one single-channel image per channel, so the resize and the masking batch over channels.
    const perChannel = tf.tidy(() =>
      tf.reshape(tf.transpose(activation, [2, 0, 1]), [channels, height, width, 1]),
    ) as tf.Tensor4D;
    const weights = new Float32Array(channels);
    try {
      await inBatches(channels, control, 'Score-CAM: masked passes', async (start, n) => {
        const probabilities = tf.tidy(() => {
          const slice = tf.slice(perChannel, [start, 0, 0, 0], [n, height, width, 1]);
          // align_corners=False in PyTorch's terms is TF's half-pixel centres.
          const up = tf.image.resizeBilinear(slice, [size, size], false, true);
          const lo = tf.min(up, [1, 2, 3], true);
          const range = tf.sub(tf.max(up, [1, 2, 3], true), lo);
          // A constant channel carries no location: an all-zero mask (not 0/0).
          const flat = tf.equal(range, 0);
          const mask = tf.where(
            tf.broadcastTo(flat, up.shape),
            tf.zerosLike(up),
            tf.div(tf.sub(up, lo), tf.where(flat, tf.onesLike(range), range)),
          );
          const scores = network.scores(tf.mul(x, mask) as tf.Tensor4D);
          return tf.slice(tf.softmax(scores), [0, classIndex], [n, 1]);
        });
        weights.set((await probabilities.data()) as Float32Array, start);
        probabilities.dispose();
      });
    } finally {
      perChannel.dispose();
    }
    return tf.tensor1d(weights);
  }
}
