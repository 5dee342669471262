/** The network's input made from decoded bytes, as tensor ops on the backend (the path every image takes). */
import * as tf from '@tensorflow/tfjs-core';

import type { PreprocessSpec } from './spec';

/**
 * Decoded crops as RGBA bytes [n, h, w, 4] (int32 or float32 on the 0..255 scale) to the network's input
 * [n, h, w, 3], on the backend: transparent pixels composited onto white, then the normalization the
 * weights were trained with. One upload of bytes replaces a JS loop over 150k pixels and an upload of 4x as
 * many float bytes; and on a GPU this is a few element-wise kernels.
 */
export function rgbaToModelInput(rgba: tf.Tensor4D, spec: PreprocessSpec): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.cast(rgba, 'float32');
    const [n, h, w] = x.shape;
    const rgb = tf.slice(x, [0, 0, 0, 0], [n, h, w, 3]);
    const alpha = tf.div(tf.slice(x, [0, 0, 0, 3], [n, h, w, 1]), 255);
    // Straight alpha onto white: rgb * a + 255 * (1 - a) = 255 + a * (rgb - 255).
    const composited = tf.add(tf.mul(alpha, tf.sub(rgb, 255)), 255);
    if (spec.mode === 'caffe') {
      return tf.sub(tf.reverse(composited, -1), tf.tensor1d([...spec.meanBGR])) as tf.Tensor4D;
    }
    // ((v / 255) - mean) / std as one multiply-add per channel.
    const scale = spec.std.map((s) => 1 / (255 * s));
    const offset = spec.mean.map((m, c) => -m / spec.std[c]!);
    return tf.add(tf.mul(composited, tf.tensor1d(scale)), tf.tensor1d(offset)) as tf.Tensor4D;
  });
}
