import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { rgbaToModelInput } from './onBackend';
import { rgbaToModelInputOnHost } from './onHost';
import { IMAGENET_TORCHVISION_PREPROCESS, KERAS_CAFFE_PREPROCESS } from './spec';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A 9x7 crop with every byte value and partial transparency, so compositing and channel order both show. */
function testCrop(seed: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(9 * 7 * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37 + (i >> 2) * 11 + seed * 101) % 256;
  return rgba;
}

describe('rgbaToModelInputOnHost', () => {
  it.each([
    ['torchvision', IMAGENET_TORCHVISION_PREPROCESS],
    ['caffe', KERAS_CAFFE_PREPROCESS],
  ] as const)('gives the backend path’s input, value for value (%s mode, a batch of two)', (_, spec) => {
    const crops = [testCrop(0), testCrop(1)];
    const bytes = new Uint8Array(crops[0]!.length * 2);
    crops.forEach((c, i) => bytes.set(c, i * c.length));
    const input = tf.tensor4d(bytes, [2, 7, 9, 4], 'int32');
    const onBackend = rgbaToModelInput(input, spec);
    const expected = onBackend.dataSync();
    tf.dispose([input, onBackend]);

    const got = rgbaToModelInputOnHost(crops, 7, 9, spec);
    expect(got.length).toBe(expected.length);
    // The same float32 operations in the same order: equal, not merely close.
    expect(Array.from(got)).toEqual(Array.from(expected));
  });
});
