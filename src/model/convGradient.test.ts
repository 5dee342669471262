import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';

import { InputGradientKernels, convWithInputGradient, explicitPadding } from './convGradient';
import type { ConvPad } from './convGradient';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('convolution input gradients as forward convolutions', () => {
  it('same padding as TF computes it', () => {
    expect(explicitPadding('same', 56, 3, 2, 1)).toEqual([0, 1]);
    expect(explicitPadding('same', 224, 7, 2, 1)).toEqual([2, 3]);
    expect(explicitPadding('same', 14, 3, 1, 2)).toEqual([1, 1]);
    expect(explicitPadding('valid', 14, 3, 1, 2)).toEqual([0, 0]);
  });

  // Every kind of convolution ResNets have: 3x3 and 1x1, strides 1 and 2, same/valid/explicit padding, odd and
  // even sizes, plus the 7x7 stride-2 stem.
  const cases: [string, number, number, number, number, number, ConvPad, 'relu' | 'linear'][] = [
    ['3x3 s1 same', 9, 4, 5, 3, 1, 'same', 'relu'],
    ['3x3 s2 same, even', 10, 4, 6, 3, 2, 'same', 'linear'],
    ['3x3 s2 same, odd', 9, 3, 4, 3, 2, 'same', 'relu'],
    ['1x1 s2 valid', 8, 4, 6, 1, 2, 'valid', 'linear'],
    ['1x1 s2 valid, odd', 7, 4, 6, 1, 2, 'valid', 'linear'],
    [
      '3x3 s2 explicit 1',
      10,
      3,
      4,
      3,
      2,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      'relu',
    ],
    [
      '7x7 s2 explicit 3',
      16,
      3,
      5,
      7,
      2,
      [
        [0, 0],
        [3, 3],
        [3, 3],
        [0, 0],
      ],
      'relu',
    ],
  ];
  it.each(cases)(
    '%s equals tf.grad of the plain ops',
    async (_name, size, cin, cout, k, stride, pad, activation) => {
      const x = tf.randomNormal([2, size, size, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
      const filter = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
      const bias = tf.randomNormal([cout], 0, 1, 'float32', 3) as tf.Tensor1D;
      const weights = tf.randomNormal([1, 1, 1, cout], 0, 1, 'float32', 4);
      const kernels = new InputGradientKernels(filter, stride);
      const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, weights));
      const plain = tf.grad((input) => {
        const y = tf.add(tf.conv2d(input as tf.Tensor4D, filter, stride, pad), bias);
        return loss(activation === 'relu' ? tf.relu(y) : y);
      })(x);
      const ours = tf.grad((input) =>
        loss(
          convWithInputGradient(
            input as tf.Tensor4D,
            { filter, bias, strides: stride, pad, activation },
            kernels,
          ),
        ),
      )(x);
      expect(ours.shape).toEqual(x.shape);
      const diff = tf.max(tf.abs(tf.sub(plain, ours))).dataSync()[0]!;
      expect(diff).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(plain)).dataSync()[0]).toBeGreaterThan(0.1);
    },
  );
});
