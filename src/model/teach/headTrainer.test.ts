import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { initialHeadWeights } from '../../shared/teach/headWeights';
import type { DenseWeights } from '../../shared/teach/headWeights';
import { HeadTrainer } from './headTrainer';
import type { LabeledFeatures } from './headTrainer';

/** Item i has class i % 2 and a feature vector that is 1 at its class's position, 0 elsewhere. */
function twoClasses(count: number, featureSize = 4): LabeledFeatures {
  const features = new Float32Array(count * featureSize);
  const labels = Array.from({ length: count }, (_, i) => i % 2);
  labels.forEach((label, i) => (features[i * featureSize + label] = 1));
  return { features, count, featureSize, labels };
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

let tensorsBefore: number;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  // Every test disposes what it made; nothing it did may stay behind.
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('HeadTrainer', () => {
  it('lowers the loss step by step and frees every tensor, Adam moments too', async () => {
    const data = twoClasses(20);
    const trainer = new HeadTrainer(
      data,
      initialHeadWeights({ kind: 'hidden', features: 4, hiddenUnits: 8, classes: 2 }, 1),
      {
        learningRate: 0.05,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-7,
      },
    );
    const before = await trainer.evaluate(all(20));
    for (let step = 0; step < 30; step++) await trainer.step(all(20));
    const after = await trainer.evaluate(all(20));
    trainer.dispose();
    trainer.dispose();
    expect(after.loss).toBeLessThan(before.loss / 4);
    expect(after.accuracy).toBe(1);
    expect([...after.predicted]).toEqual(data.labels);
  });

  it('puts back the weights it is given, which evaluate as they did', async () => {
    const trainer = new HeadTrainer(
      twoClasses(10),
      initialHeadWeights({ kind: 'dense', features: 4, classes: 2 }, 2),
    );
    const start = await trainer.weights();
    const startLoss = (await trainer.evaluate(all(10))).loss;
    await trainer.step([0, 1, 2]);
    expect((await trainer.weights()).output.kernel).not.toEqual(start.output.kernel);
    trainer.restore(start);
    expect((await trainer.weights()).output.kernel).toEqual(start.output.kernel);
    expect((await trainer.evaluate(all(10))).loss).toBe(startLoss);
    expect(() => trainer.restore({ kind: 'hidden', hidden: start.output, output: start.output })).toThrow(
      TypeError,
    );
    trainer.dispose();
    await expect(trainer.step([0])).rejects.toThrow(/disposed/);
  });

  it('with keep-ImageNet, trains only the new classes and names a kept class as -1', async () => {
    // Two kept classes whose logits are 10 x feature 2 and 10 x feature 3: items lit there are "ImageNet" images.
    const kept: DenseWeights = {
      inputs: 4,
      outputs: 2,
      kernel: Float32Array.from([0, 0, 0, 0, 10, 0, 0, 10]),
      bias: new Float32Array(2),
    };
    const head = initialHeadWeights({ kind: 'keepImageNet', kept, classes: 2 }, 3);
    const trainer = new HeadTrainer(twoClasses(8), head, {
      learningRate: 0.1,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
    });
    for (let step = 0; step < 20; step++) await trainer.step(all(8));
    const trained = await trainer.weights();
    expect(trained.kind === 'keepImageNet' && trained.kept).toBe(kept);
    expect([...kept.kernel]).toEqual([0, 0, 0, 0, 10, 0, 0, 10]);
    expect((await trainer.evaluate(all(8))).accuracy).toBe(1);
    trainer.dispose();

    const photo = {
      features: Float32Array.from([0, 0, 0, 1, 1, 0, 0, 0]),
      count: 2,
      featureSize: 4,
      labels: [0, 0],
    };
    const onPhotos = new HeadTrainer(photo, trained);
    const { predicted, accuracy } = await onPhotos.evaluate([0, 1]);
    onPhotos.dispose();
    expect([...predicted]).toEqual([-1, 0]);
    expect(accuracy).toBe(0.5);
  });

  it('refuses data that does not fit the head, before making any tensor', () => {
    const head = initialHeadWeights({ kind: 'dense', features: 4, classes: 2 }, 0);
    expect(() => new HeadTrainer(twoClasses(4, 3), head)).toThrow(/takes 4 features/);
    expect(() => new HeadTrainer({ ...twoClasses(4), labels: [0, 1, 2, 0] }, head)).toThrow(/class 2/);
    expect(() => new HeadTrainer({ ...twoClasses(4), count: 5 }, head)).toThrow(RangeError);
    const hidden = initialHeadWeights({ kind: 'hidden', features: 4, hiddenUnits: 3, classes: 2 }, 0);
    if (hidden.kind !== 'hidden') throw new Error('a hidden head');
    const narrow = {
      ...hidden,
      hidden: { ...hidden.hidden, outputs: 2, kernel: new Float32Array(8), bias: new Float32Array(2) },
    };
    expect(() => new HeadTrainer(twoClasses(4), narrow)).toThrow(/do not fit together/);
    const torn = { ...hidden, hidden: { ...hidden.hidden, bias: new Float32Array(1) } };
    expect(() => new HeadTrainer(twoClasses(4), torn)).toThrow(/the hidden layer/);
  });
});
