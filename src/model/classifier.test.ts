import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { ResNetClassifier } from './classifier';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function pseudoImage(seed: number): Float32Array {
  return Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => Math.sin(i * 0.37 + seed) * 1.5);
}

describe('ResNetClassifier', () => {
  it('classifies deterministically, with unsaturated descending probabilities, and frees every tensor', async () => {
    const baseline = tf.memory().numTensors;
    const progress: number[] = [];
    const a = await ResNetClassifier.load({ variant: 'resnet18', onProgress: (f) => progress.push(f) });
    const modelTensors = tf.memory().numTensors;
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));

    const first = await a.classifyPixels(pseudoImage(1), 5);
    const again = await a.classifyPixels(pseudoImage(1), 5);
    expect(again).toEqual(first);
    expect(first).toHaveLength(5);
    for (let i = 0; i < first.length; i++) {
      expect(first[i]!.probability).toBeGreaterThan(0);
      expect(first[i]!.probability).toBeLessThanOrEqual(1);
      if (i > 0) expect(first[i]!.probability).toBeLessThanOrEqual(first[i - 1]!.probability);
    }
    // The head is initialized small so untrained outputs are not a one-hot.
    expect(first[0]!.probability).toBeLessThan(0.9);
    expect(tf.memory().numTensors).toBe(modelTensors);

    // Rebuilding from the same seed (as after a page reload) gives the same answer.
    const b = await ResNetClassifier.load({ variant: 'resnet18' });
    expect(await b.classifyPixels(pseudoImage(1), 5)).toEqual(first);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
