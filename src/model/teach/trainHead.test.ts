import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { initialHeadWeights } from '../../shared/teach/headWeights';
import { heldOutSplit } from '../../shared/teach/heldOutSplit';
import { seededUniform } from '../../shared/teach/seededRandom';
import type { LabeledFeatures } from './headTrainer';
import { trainHead } from './trainHead';
import type { EpochRecord } from '../../shared/teach/teachJob';
import type { TrainHeadOptions } from './trainHead';

const FEATURES = 8;
const CLASSES = 3;

/** 90 items in 3 clusters well apart (non-negative, like pooled ResNet features): any head separates them. */
function clusters(labels: number[]): LabeledFeatures {
  const random = seededUniform(5);
  const count = labels.length;
  const features = new Float32Array(count * FEATURES);
  labels.forEach((label, i) => {
    for (let f = 0; f < FEATURES; f++)
      features[i * FEATURES + f] = (f % CLASSES === label ? 2 : 0) + random() * 0.5;
  });
  return { features, count, featureSize: FEATURES, labels };
}

const labels = Array.from({ length: 90 }, (_, i) => i % CLASSES);
const data = clusters(labels);
const split = heldOutSplit(labels, 7);
const options = (more: Partial<TrainHeadOptions> = {}): TrainHeadOptions => ({
  data,
  split,
  initial: initialHeadWeights({ kind: 'dense', features: FEATURES, classes: CLASSES }, 1),
  seed: 3,
  adam: { learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  batchSize: 16,
  maxEpochs: 15,
  ...more,
});

let tensorsBefore: number;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  // Whether it finished, stopped early, was aborted or refused: every tensor it made is gone.
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('trainHead', () => {
  it('learns separable classes, reporting each epoch as it ends', async () => {
    const reported: EpochRecord[] = [];
    const trained = await trainHead(options({ onEpoch: (record) => reported.push(record) }));
    expect(reported).toEqual(trained.history);
    expect(trained.history.map((r) => r.epoch)).toEqual(trained.history.map((_, i) => i));
    const first = trained.history[0]!;
    const best = trained.history[trained.bestEpoch]!;
    expect(best.heldOutLoss).toBeLessThan(first.heldOutLoss);
    expect(best.heldOutAccuracy).toBe(1);
    expect(best.trainAccuracy).toBe(1);
    // The held-out confusion matrix is of the best weights: all on the diagonal.
    expect(trained.heldOut.confusion.counts.map((row, c) => row[c])).toEqual([6, 6, 6]);
    expect([...trained.heldOut.predicted]).toEqual(split.heldOut.map((i) => labels[i]));
  });

  it('trains a head with a hidden layer the same way', async () => {
    const initial = initialHeadWeights(
      { kind: 'hidden', features: FEATURES, hiddenUnits: 8, classes: CLASSES },
      2,
    );
    const trained = await trainHead(options({ initial }));
    expect(trained.weights.kind).toBe('hidden');
    expect(trained.history[trained.bestEpoch]!.heldOutAccuracy).toBe(1);
  });

  it('gives the same weights and history from the same seeds, others from another data order', async () => {
    const a = await trainHead(options({ maxEpochs: 3 }));
    const b = await trainHead(options({ maxEpochs: 3 }));
    const c = await trainHead(options({ maxEpochs: 3, seed: 4 }));
    expect(b.weights).toEqual(a.weights);
    expect(b.history).toEqual(a.history);
    expect(c.weights.output.kernel).not.toEqual(a.weights.output.kernel);
  });

  it('stops once the held-out loss has not improved for `patience` epochs and returns the best epoch', async () => {
    // The held-out items are labeled as the next class: the better it learns the training items, the worse it
    // does on them, so epoch 0 stays the best.
    const mislabeled = {
      ...data,
      labels: labels.map((label, i) => (split.heldOut.includes(i) ? (label + 1) % CLASSES : label)),
    };
    const trained = await trainHead(
      options({ data: mislabeled, earlyStopping: { patience: 3, minDelta: 0 } }),
    );
    expect(trained.bestEpoch).toBe(0);
    expect(trained.history).toHaveLength(4);
    expect(trained.stoppedEarly).toBe(true);
    const oneEpoch = await trainHead(options({ data: mislabeled, maxEpochs: 1 }));
    expect(oneEpoch.stoppedEarly).toBe(false);
    expect(trained.weights).toEqual(oneEpoch.weights);
  });

  it('stops between steps when aborted, with the signal reason', async () => {
    const controller = new AbortController();
    let steps = 0;
    const run = trainHead(
      options({
        signal: controller.signal,
        yieldToEvents: async () => {
          steps += 1;
          if (steps === 5) controller.abort();
        },
      }),
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(steps).toBe(5);
  });

  it('stops when aborted from onEpoch, and does not start when already aborted', async () => {
    const controller = new AbortController();
    const epochs: number[] = [];
    const run = trainHead(
      options({
        signal: controller.signal,
        onEpoch: ({ epoch }) => {
          epochs.push(epoch);
          if (epoch === 1) controller.abort(new Error('cancelled by the user'));
        },
      }),
    );
    await expect(run).rejects.toThrow('cancelled by the user');
    expect(epochs).toEqual([0, 1]);
    await expect(trainHead(options({ signal: controller.signal }))).rejects.toThrow('cancelled by the user');
  });

  it('refuses a split with nothing held out', async () => {
    await expect(trainHead(options({ split: { train: split.train, heldOut: [] } }))).rejects.toThrow(
      /both sides/,
    );
  });
});
