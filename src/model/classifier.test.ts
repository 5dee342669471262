import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { ModelSource } from '../shared/protocol';
import { buildResNet } from './buildResNet';
import type { ResNetClassifier } from './classifier';
import { loadClassifier } from './loadClassifier';
import type { LoadClassifierOptions } from './loadClassifier';
import { setWasmBackend } from '../testing/wasmBackend';

beforeAll(setWasmBackend);

/** A photo-like 224x224 RGBA crop, as the decoder hands them over. */
function pseudoCrop(seed: number): Uint8ClampedArray {
  return Uint8ClampedArray.from({ length: 224 * 224 * 4 }, (_, i) =>
    i % 4 === 3 ? 255 : 128 + 100 * Math.sin(i * 0.37 + seed),
  );
}

function pseudoImage(seed: number): Float32Array {
  return Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => Math.sin(i * 0.37 + seed) * 1.5);
}

/** A seeded classifier, with the tensor-level entry points the tests feed PyTorch's exact inputs through. */
async function seeded(
  source: Omit<Extract<ModelSource, { kind: 'random' }>, 'kind'>,
  options?: LoadClassifierOptions,
): Promise<ResNetClassifier> {
  return (await loadClassifier({ kind: 'random', ...source }, options)) as ResNetClassifier;
}

async function classifyPixels(classifier: ResNetClassifier, pixels: Float32Array, k: number) {
  const input = tf.tensor4d(pixels, [1, 224, 224, 3]);
  try {
    return (await classifier.classifyTensor(input, k))[0]!;
  } finally {
    input.dispose();
  }
}

describe('loadClassifier (seeded)', () => {
  it('classifies deterministically, with unsaturated descending probabilities, and frees every tensor', async () => {
    const baseline = tf.memory().numTensors;
    const progress: number[] = [];
    const a = await seeded({ variant: 'resnet18' }, { onProgress: (p) => progress.push(p.fraction ?? 0) });
    const modelTensors = tf.memory().numTensors;
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));

    const first = await classifyPixels(a, pseudoImage(1), 5);
    const again = await classifyPixels(a, pseudoImage(1), 5);
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
    const b = await seeded({ variant: 'resnet18' });
    expect(await classifyPixels(b, pseudoImage(1), 5)).toEqual(first);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('ResNetClassifier, seeded', () => {
  it('classifies through kernels drawn for the fast path; the layers model gets the same ones when asked', async () => {
    const classifier = await seeded({ variant: 'resnet18', flavor: 'torchvision', seed: 11 });
    const x = tf.tensor4d(pseudoImage(4), [1, 224, 224, 3]);
    const fast = classifier.logits(x);
    // First access to `model` draws the seeded kernels into it: it must be the model buildResNet makes.
    const lazy = classifier.model.predict(x) as tf.Tensor;
    const eager = await buildResNet({ variant: 'resnet18', flavor: 'torchvision', seed: 11 });
    const reference = eager.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(lazy, reference))).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(tf.sub(fast, reference))).dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([x, fast, lazy, reference]);
    eager.dispose();
    classifier.dispose();
  });
});

describe('ResNetClassifier.inspect', () => {
  it('yields every stage in one pass, with the same answer as the classification path', async () => {
    const classifier = await seeded({ variant: 'resnet18' });
    const baseline = tf.memory().numTensors;
    const { stages, predictions } = await classifier.inspect(pseudoCrop(2), 5);
    expect(tf.memory().numTensors).toBe(baseline);
    expect(stages.map((s) => [s.stage, s.map.height, s.map.width, s.map.channels])).toEqual([
      ['stem', 56, 56, 64],
      ['layer1', 56, 56, 64],
      ['layer2', 28, 28, 128],
      ['layer3', 14, 14, 256],
      ['layer4', 7, 7, 512],
    ]);
    // Bytes in, preprocessing on the backend (checked against the host's in preprocessOnBackend.test.ts):
    // the same answer as the classification path.
    // The bench's breakdown of a call is told each phase once, in order, and changes nothing.
    const phases: string[] = [];
    const [classified] = await classifier.classify([pseudoCrop(2)], 5, {
      mark: (phase) => phases.push(phase),
    });
    expect(classified).toEqual(predictions);
    expect(phases).toEqual(['input', 'forward', 'topK', 'read']);
    // A batch of two in one pass gives each image its own answer.
    const [again, other] = await classifier.classify([pseudoCrop(2), pseudoCrop(3)], 5);
    expect(again!.map((p) => p.classIndex)).toEqual(predictions.map((p) => p.classIndex));
    again!.forEach((p, i) =>
      expect(Math.abs(p.probability - predictions[i]!.probability)).toBeLessThan(1e-5),
    );
    expect(other).toEqual((await classifier.classify([pseudoCrop(3)], 5))[0]);

    classifier.dispose();
  });
});
