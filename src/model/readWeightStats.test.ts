import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { buildResNet } from './buildResNet';
import { readWeightStats } from './readWeightStats';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('readWeightStats', () => {
  it("reads the stem's kernel (BGR turned to RGB) and a histogram of every convolution and the dense layer", async () => {
    const model = await buildResNet({ variant: 'resnet18', init: 'zeros' });
    const stem = model.getLayer('stem_conv');
    const [kernel, bias] = stem.getWeights();
    // Input channel c of every weight holds c: after the turn, channel 0 holds 2 and channel 2 holds 0.
    const values = Float32Array.from({ length: kernel!.size }, (_, i) => Math.floor(i / 64) % 3);
    const marked = tf.tensor(values, kernel!.shape);
    stem.setWeights([marked, bias!]);
    marked.dispose();
    const before = tf.memory().numTensors;

    const rgb = await readWeightStats(model, false);
    expect(rgb.stemKernel.shape).toEqual([7, 7, 3, 64]);
    expect([...rgb.stemKernel.data.slice(0, 3 * 64).filter((_, i) => i % 64 === 0)]).toEqual([0, 1, 2]);
    // Stem, three convolutions in each of the 8 blocks (the reference design's shortcut is one), the head.
    expect(rgb.histograms).toHaveLength(26);
    expect(rgb.histograms[0]).toMatchObject({ layer: 'stem_conv', min: 0, max: 2 });
    expect(rgb.histograms.at(-1)!.layer).toBe('fc');

    const bgr = await readWeightStats(model, true);
    expect([...bgr.stemKernel.data.slice(0, 3 * 64).filter((_, i) => i % 64 === 0)]).toEqual([2, 1, 0]);
    expect(tf.memory().numTensors).toBe(before);
    for (const h of rgb.histograms) {
      const size = model.getLayer(h.layer).getWeights()[0]!.size;
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(size);
    }
    model.dispose();
  });
});
