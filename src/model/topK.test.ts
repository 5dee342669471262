import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { readTopK, topKOnBackend } from './topK';
import { clampTopK } from '../shared/predictions';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function softmaxJs(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('top-k', () => {
  it('returns the k most probable classes in descending order with softmax probabilities', async () => {
    const rows = [0, 1].map((r) =>
      Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898 + r * 78.233) * 4),
    );
    const logits = tf.tensor2d(rows);
    const { values, indices } = topKOnBackend(logits, 7);
    const result = await readTopK(values, indices);
    logits.dispose();
    expect(result).toHaveLength(2);
    rows.forEach((row, r) => {
      const p = softmaxJs(row);
      const expected = p
        .map((v, i) => ({ v, i }))
        .sort((a, b) => b.v - a.v)
        .slice(0, 7);
      expect(result[r]!.map((x) => x.classIndex)).toEqual(expected.map((e) => e.i));
      result[r]!.forEach((pred, rank) => expect(pred.probability).toBeCloseTo(expected[rank]!.v, 6));
    });
    expect(result[0]![0]!.label).toBeTypeOf('string');
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const logits = tf.randomNormal([1, 1000]) as tf.Tensor2D;
    const { values, indices } = topKOnBackend(logits, 5);
    await readTopK(values, indices);
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clamps k to 1..20', () => {
    expect(clampTopK(0)).toBe(1);
    expect(clampTopK(5)).toBe(5);
    expect(clampTopK(25)).toBe(20);
    expect(clampTopK(Number.NaN)).toBe(5);
  });
});
