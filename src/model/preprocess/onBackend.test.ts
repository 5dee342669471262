import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { normalizeCrop } from '../../testing/preprocessReference';
import { rgbaToModelInput } from './onBackend';
import { IMAGENET_TORCHVISION_PREPROCESS, KERAS_CAFFE_PREPROCESS } from './spec';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A 9x7 crop with every byte value and partial transparency, so compositing and channel order both show. */
function testCrop(): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(9 * 7 * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37 + (i >> 2) * 11) % 256;
  return rgba;
}

describe('rgbaToModelInput', () => {
  it.each([
    ['torchvision', IMAGENET_TORCHVISION_PREPROCESS],
    ['caffe', KERAS_CAFFE_PREPROCESS],
  ] as const)('matches the JS reference preprocessing (%s mode)', (_, spec) => {
    const rgba = testCrop();
    const expected = normalizeCrop(rgba, spec);
    const before = tf.memory().numTensors;
    const input = tf.tensor4d(new Uint8Array(rgba), [1, 7, 9, 4], 'int32');
    const out = rgbaToModelInput(input, spec);
    expect(out.shape).toEqual([1, 7, 9, 3]);
    const got = out.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - expected[i]!));
    // Float32 rounding of different but equivalent arithmetic: ~1e-5 relative on values up to ~150.
    expect(maxDiff).toBeLessThan(spec.mode === 'caffe' ? 1e-4 : 1e-5);
    tf.dispose([input, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('handles a batch, image by image', () => {
    const a = testCrop();
    const b = testCrop().map((v) => 255 - v);
    const batch = new Uint8ClampedArray(a.length * 2);
    batch.set(a);
    batch.set(b, a.length);
    const out = rgbaToModelInput(
      tf.tensor4d(new Uint8Array(batch), [2, 7, 9, 4], 'int32'),
      IMAGENET_TORCHVISION_PREPROCESS,
    );
    const got = out.dataSync();
    const expected = [
      ...normalizeCrop(a, IMAGENET_TORCHVISION_PREPROCESS),
      ...normalizeCrop(b, IMAGENET_TORCHVISION_PREPROCESS),
    ];
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-5);
  });
});
