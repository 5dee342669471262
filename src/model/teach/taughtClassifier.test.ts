import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { IMAGENET_LABELS } from '../../shared/imagenetLabels';
import { glorotDense, initialHeadWeights } from '../../shared/teach/headWeights';
import type { DenseWeights } from '../../shared/teach/headWeights';
import { setWasmBackend } from '../../testing/wasmBackend';
import type { Classifier } from '../classifier';
import { loadClassifier } from '../loadClassifier';
import { TaughtClassifier } from './taughtClassifier';

/** A photo-like 224x224 RGBA crop, as the decoder hands them over. */
function pseudoCrop(seed: number): Uint8ClampedArray {
  return Uint8ClampedArray.from({ length: 224 * 224 * 4 }, (_, i) =>
    i % 4 === 3 ? 255 : 128 + 100 * Math.sin(i * 0.37 + seed),
  );
}

let backbone: Classifier;
let fc: DenseWeights;

beforeAll(async () => {
  await setWasmBackend();
  backbone = await loadClassifier({ kind: 'random', variant: 'resnet18', seed: 5 });
  fc = await backbone.fcLayer();
});

afterAll(() => backbone.dispose());

const crops = [pseudoCrop(1), pseudoCrop(2)];

describe('TaughtClassifier', () => {
  it("with the backbone's own fc as its head, answers as the backbone does: features through the head are the logits", async () => {
    const taught = new TaughtClassifier(backbone, { kind: 'dense', output: fc }, [...IMAGENET_LABELS]);
    const mine = await taught.classify(crops, 5);
    const theirs = await backbone.classify(crops, 5);
    mine.forEach((predictions, i) => {
      expect(predictions.map((p) => p.classIndex)).toEqual(theirs[i]!.map((p) => p.classIndex));
      predictions.forEach((p, r) => expect(p.probability).toBeCloseTo(theirs[i]![r]!.probability, 5));
    });
    taught.dispose();
  });

  it("keeps ImageNet's logits as they were and puts the new classes after them, by their names", async () => {
    // A new class with a bias no ImageNet logit reaches: it must win, at index 1000 + 1.
    const output = glorotDense(fc.inputs, 2, 3);
    output.bias.set([0, 1e4]);
    const taught = new TaughtClassifier(backbone, { kind: 'keepImageNet', kept: fc, output }, [
      'fern',
      'moss',
    ]);
    expect(taught.labels).toHaveLength(1002);
    expect(taught.summary.stages.at(-1)!.outputShape).toEqual([1002]);
    const [top] = await taught.classify([crops[0]!], 3);
    expect(top![0]).toMatchObject({ classIndex: 1001, label: 'moss', synonyms: 'moss' });
    expect(top![1]!.classIndex).toBeLessThan(1000);

    const features = backbone.featureTensor([crops[0]!]);
    const logits = taught.logits(features);
    const original = tf.tidy(() =>
      tf.add(tf.matMul(features, tf.tensor2d(fc.kernel, [fc.inputs, 1000])), fc.bias),
    );
    const [mineValues, originalValues] = [await logits.data(), await original.data()];
    tf.dispose([features, logits, original]);
    for (let c = 0; c < 1000; c++) expect(mineValues[c]).toBeCloseTo(originalValues[c]!, 3);

    // Look inside: the same predictions from the last stage pooled on the host, and a class activation map whose
    // kernel column is the new class's (its mean over positions plus the bias is the class's logit).
    const inspected = await taught.inspect(crops[0]!, 3);
    expect(inspected.predictions.map((p) => p.classIndex)).toEqual(top!.map((p) => p.classIndex));
    const { kernel, features: channels, classes } = await taught.fcKernel();
    expect([channels, classes]).toEqual([512, 1002]);
    const { data, height, width } = inspected.stages.at(-1)!.map;
    let camMean = 0;
    for (let p = 0; p < height * width; p++)
      for (let k = 0; k < channels; k++) camMean += data[p * channels + k]! * kernel[k * classes + 1001]!;
    camMean /= height * width;
    expect((camMean + 1e4) / mineValues[1001]!).toBeCloseTo(1, 5);
    taught.dispose();
  });

  it('runs a hidden-layer head, which has no class activation map, and frees only its own tensors', async () => {
    const before = tf.memory().numTensors;
    const head = initialHeadWeights({ kind: 'hidden', features: 512, hiddenUnits: 16, classes: 3 }, 7);
    const taught = new TaughtClassifier(backbone, head, ['a', 'b', 'c']);
    expect(tf.memory().numTensors).toBe(before + taught.numTensors);
    const answers = await taught.classify(crops, 5);
    // Only three classes to rank, however many were asked for.
    expect(answers.map((a) => a.map((p) => p.label).sort())).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    await expect(taught.fcKernel()).rejects.toThrow(/not linear/);
    expect(tf.memory().numTensors).toBe(before + taught.numTensors);
    taught.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The backbone is not the taught model's to free.
    expect(await backbone.classify([crops[0]!], 1)).toHaveLength(1);
    expect(() => tf.tidy(() => taught.logits(tf.zeros([1, 512])))).toThrow(/released/);
  });
});
