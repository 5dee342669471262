import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';

import { blockPrefix, buildResNet } from './buildResNet';
import { FastResNet } from './fastResNet';
import { INPUT_SIZE, VARIANTS } from '../shared/variants';
import type { BuildFlavor, BuildableVariantId } from '../shared/variants';
import { setWasmBackend } from '../testing/wasmBackend';

beforeAll(async () => {
  await setWasmBackend();
});

/** Deterministic uniform [0, 1) numbers (mulberry32), so a failure reproduces exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/**
 * A freshly built model's BatchNorms are identities (gamma 1, beta 0, mean 0, var 1) and its biases zero,
 * which would let a wrong fold pass. Gives every BN statistic and affine parameter, and every bias, random
 * values of the size trained networks have.
 */
function randomizeFoldedParameters(model: tfl.LayersModel, seed: number): void {
  const next = rng(seed);
  const draw: Record<string, () => number> = {
    gamma: () => 0.5 + next(),
    beta: () => 0.1 * normal(next),
    moving_mean: () => 0.1 * normal(next),
    moving_variance: () => 0.5 + next(),
    bias: () => 0.1 * normal(next),
  };
  for (const layer of model.layers) {
    const kept = layer.getWeights();
    const values = layer.weights.map((w, i) => {
      const current = kept[i]!;
      const make = draw[w.originalName.split('/').at(-1)!];
      return make ? tf.tensor(Float32Array.from({ length: current.size }, make), current.shape) : current;
    });
    layer.setWeights(values);
    values.forEach((t, i) => t !== kept[i] && t.dispose());
  }
}

function pseudoRandomInput(): tf.Tensor4D {
  const next = rng(42);
  const n = INPUT_SIZE * INPUT_SIZE * 3;
  return tf.tensor4d(
    Float32Array.from({ length: n }, () => normal(next)),
    [1, INPUT_SIZE, INPUT_SIZE, 3],
  );
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): { diff: number; scale: number } {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return { diff, scale };
}

async function prepared(variant: BuildableVariantId, flavor: BuildFlavor): Promise<tfl.LayersModel> {
  const model = await buildResNet({ variant, flavor, seed: 7 });
  randomizeFoldedParameters(model, 99);
  return model;
}

/**
 * Logits agree to a few float32 roundings of their own size: with random BatchNorm statistics the seeded
 * ResNet34's logits reach thousands, where one rounding is already about 3e-4, so a fixed absolute bound would
 * measure the logits' size rather than the fold.
 */
const LOGITS_TOLERANCE = 2e-6;

describe.each([
  { variant: 'resnet18', flavor: 'reference', stages: false },
  { variant: 'resnet18', flavor: 'torchvision', stages: true },
  { variant: 'resnet34', flavor: 'torchvision', stages: false },
  { variant: 'resnet34', flavor: 'reference', stages: false },
] as const)('FastResNet $variant ($flavor)', ({ variant, flavor, stages }) => {
  it('gives the logits of the layers model, leaks nothing and frees exactly its own tensors', async () => {
    const model = await prepared(variant, flavor);
    const input = pseudoRandomInput();
    try {
      const beforeBuild = tf.memory().numTensors;
      const fast = FastResNet.fromLayersModel(model, variant, flavor);
      expect(tf.memory().numTensors).toBe(beforeBuild + fast.numTensors);

      const beforePredict = tf.memory().numTensors;
      if (stages) {
        // The layers model's own stage outputs, from the same pass as its logits.
        const spec = VARIANTS[variant].blocksPerStage;
        const names = ['stem_pool', ...spec.map((blocks, s) => `${blockPrefix(s, blocks - 1)}_out`)];
        const stageModel = tfl.model({
          inputs: model.inputs,
          outputs: [...names.map((n) => model.getLayer(n).output as tfl.SymbolicTensor), model.outputs[0]!],
        });
        const expected = stageModel.predict(input) as tf.Tensor[];
        const got = fast.predictWithStages(input);
        expect(tf.memory().numTensors).toBe(beforePredict + 2 * (names.length + 1));
        got.stages.forEach((t, i) => {
          const { diff, scale } = maxAbsDiff(t, expected[i]!);
          expect(diff / scale, names[i]).toBeLessThan(1e-5);
        });
        const { diff, scale } = maxAbsDiff(got.logits, expected.at(-1)!);
        expect(diff / scale).toBeLessThan(LOGITS_TOLERANCE);
        tf.dispose([expected, got.stages, got.logits]);
      } else {
        const expected = model.predict(input) as tf.Tensor2D;
        const logits = fast.predict(input);
        expect(tf.memory().numTensors).toBe(beforePredict + 2);
        expect(logits.shape).toEqual([1, 1000]);
        const { diff, scale } = maxAbsDiff(logits, expected);
        expect(diff / scale).toBeLessThan(LOGITS_TOLERANCE);
        tf.dispose([expected, logits]);
      }
      expect(tf.memory().numTensors).toBe(beforePredict);

      fast.dispose();
      expect(tf.memory().numTensors).toBe(beforeBuild);
      expect(fast.numTensors).toBe(0);
      // The layers model is untouched and stays usable.
      expect(model.weights.every((w) => !w.read().isDisposed)).toBe(true);
      expect(() => fast.predict(input)).toThrow(/disposed/);
    } finally {
      input.dispose();
      model.dispose();
    }
  });
});

describe('FastResNet refuses a model it would not reproduce', () => {
  it('names the mismatch and keeps no tensors', async () => {
    const reference = await buildResNet({ variant: 'resnet18', flavor: 'reference', init: 'zeros' });
    const torchvision = await buildResNet({ variant: 'resnet18', flavor: 'torchvision', init: 'zeros' });
    try {
      const before = tf.memory().numTensors;
      expect(() => FastResNet.fromLayersModel(reference, 'resnet34', 'reference')).toThrow(
        /layer1_2_conv1 is missing/,
      );
      expect(() => FastResNet.fromLayersModel(torchvision, 'resnet18', 'reference')).toThrow(
        /layer1_0_shortcut is missing/,
      );
      expect(() => FastResNet.fromLayersModel(reference, 'resnet18', 'torchvision')).toThrow(
        /layer2_0: an identity shortcut needs stride 1/,
      );
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      reference.dispose();
      torchvision.dispose();
    }
  });
});
