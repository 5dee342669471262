// The activation-maximization loop on the seeded ResNet18 (WASM backend): the objective rises, the same seed gives
// the same picture, a cancel stops it, and every run frees what it made.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ResNetClassifier } from '../../model/classifier';
import { referenceClassifier } from '../../testing/explainReference';
import { setWasmBackend } from '../../testing/wasmBackend';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FourierImage } from './fourierImage';
import type { FeatureVisSubject } from './objective';
import { visualize } from './optimize';

const hasWeights = existsSync(
  resolve(import.meta.dirname, '../../../test-fixtures/reference/resnet18.safetensors'),
);

describe.skipIf(!hasWeights)('feature visualization loop (run scripts/make_reference.py to enable)', () => {
  let classifier: ResNetClassifier;
  let subject: FeatureVisSubject;
  let tensorsBefore: number;

  beforeAll(async () => {
    await setWasmBackend();
    tensorsBefore = tf.memory().numTensors;
    classifier = await referenceClassifier();
    subject = {
      network: classifier.network(),
      preprocess: classifier.preprocess,
      image: new FourierImage(64, 64),
      objective: { kind: 'channel', stage: 'layer4', channel: 100 },
    };
  });

  afterAll(() => {
    subject.image.dispose();
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('raises the objective, and the same seed gives the same picture', async () => {
    const steps: number[] = [];
    const first = await visualize(subject, { steps: 12, seed: 3, onStep: (step) => steps.push(step) });
    const again = await visualize(subject, { steps: 12, seed: 3 });
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const [a, b] = [first.image.dataSync(), again.image.dataSync()];
    tf.dispose([first.image, again.image]);
    const { values } = first;
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    // Each step sees another transform, so values wobble; over 12 steps the last few still clearly beat the first.
    expect(mean(values.slice(-3))).toBeGreaterThan(mean(values.slice(0, 3)) + 0.2);
    expect(again.values).toEqual(values);
    expect(Array.from(b)).toEqual(Array.from(a));
  }, 300_000);

  it('stops between steps when aborted, freeing what it made', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = visualize(subject, {
      steps: 50,
      seed: 1,
      signal: controller.signal,
      onStep: (step) => {
        seen.push(step);
        if (step === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    expect(seen).toEqual([1, 2]);
  }, 300_000);
});
