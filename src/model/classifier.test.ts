import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { ModelSource } from '../shared/protocol';
import type { DenseWeights } from '../shared/teach/headWeights';
import { buildResNet } from './buildResNet';
import { ResNetClassifier } from './classifier';
import { loadClassifier } from './loadClassifier';
import type { LoadClassifierOptions } from './loadClassifier';
import { setWasmBackend } from '../testing/wasmBackend';
import { IMAGENET_TORCHVISION_PREPROCESS } from './preprocess/spec';
import { summarizeStages } from './stageSummary';

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

describe('ResNetClassifier.features', () => {
  /** logits = features x kernel + bias, on the host in float64. */
  function headOf(features: Float32Array, fc: DenseWeights, row: number): Float64Array {
    const out = new Float64Array(fc.outputs);
    for (let o = 0; o < fc.outputs; o++) {
      let sum = fc.bias[o]!;
      for (let i = 0; i < fc.inputs; i++)
        sum += features[row * fc.inputs + i]! * fc.kernel[i * fc.outputs + o]!;
      out[o] = sum;
    }
    return out;
  }

  /** The logits of crops through the classifier's own path, their network input made by `normalize`. */
  async function logitsOf(classifier: ResNetClassifier, crops: Uint8ClampedArray[]): Promise<Float32Array> {
    const bytes = new Int32Array(crops.length * 224 * 224 * 4);
    crops.forEach((c, i) => bytes.set(c, i * c.length));
    const logits = tf.tidy(() =>
      classifier.logits(classifier.normalize(tf.tensor4d(bytes, [crops.length, 224, 224, 4]))),
    );
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    return values;
  }

  async function expectHeadGivesLogits(classifier: ResNetClassifier) {
    const crops = [pseudoCrop(5), pseudoCrop(6)];
    const baseline = tf.memory().numTensors;
    const { features, count, featureSize } = await classifier.features(crops);
    expect(tf.memory().numTensors).toBe(baseline);
    expect([count, featureSize]).toEqual([2, 512]);
    const fc = await classifier.fcLayer();
    expect([fc.inputs, fc.outputs]).toEqual([512, 1000]);
    // The bias is not all zeros in the reference design, so leaving it out would show.
    expect(fc.bias.some((b) => b !== 0)).toBe(true);
    const logits = await logitsOf(classifier, crops);
    const scale = Math.max(...logits.map(Math.abs));
    for (let row = 0; row < count; row++) {
      const mine = headOf(features, fc, row);
      let worst = 0;
      mine.forEach((v, o) => (worst = Math.max(worst, Math.abs(v - logits[row * 1000 + o]!))));
      expect(worst / scale).toBeLessThan(1e-5);
    }
    // Two different crops: two different rows (a pass that pooled the batch together would not tell them apart).
    expect(features.subarray(0, 512)).not.toEqual(features.subarray(512));
    return features;
  }

  it('gives the head input: features x fc kernel + bias are the logits, on the fast path and the layers path, freeing every tensor', async () => {
    const model = await buildResNet({ variant: 'resnet18', flavor: 'reference', seed: 3 });
    // Non-zero biases in the head, so the bias accessor is tested too.
    const fcLayer = model.getLayer('fc');
    const [kernel, bias] = fcLayer.getWeights();
    const freshBias = tf.randomNormal(bias!.shape, 0, 0.5, 'float32', 9);
    fcLayer.setWeights([kernel!, freshBias]);
    freshBias.dispose();
    const parts = {
      summary: summarizeStages(model, 'resnet18', 'reference'),
      preprocess: IMAGENET_TORCHVISION_PREPROCESS,
      weights: { origin: 'random' as const, name: 'test' },
    };
    const fast = new ResNetClassifier(model, parts);
    // The same layers model with no fast path: how ResNet50 runs.
    const slow = new ResNetClassifier(model, { ...parts, summary: { ...parts.summary, flavor: 'keras' } });
    const fastFeatures = await expectHeadGivesLogits(fast);
    const slowFeatures = await expectHeadGivesLogits(slow);
    let worst = 0;
    fastFeatures.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - slowFeatures[i]!))));
    expect(worst / Math.max(...fastFeatures.map(Math.abs))).toBeLessThan(1e-4);
    // The two share one layers model: disposing one frees it.
    const before = tf.memory().numTensors;
    fast.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});
