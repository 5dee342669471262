import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BlockRms } from './blockValues';
import { buildResNet } from './buildResNet';
import { ResNetClassifier } from './classifier';
import type { ActivationMap } from './featureMaps';
import { loadClassifier } from './loadClassifier';
import { IMAGENET_TORCHVISION_PREPROCESS } from './preprocess/spec';
import { summarizeStages } from './stageSummary';
import type { BuildableVariantId } from '../shared/variants';

// scripts/make_reference.py writes the seeded weights and the crop; scripts/make_network_reference.py the values.
const DIR = new URL('../../test-fixtures/reference/', import.meta.url);
const VARIANTS = ['resnet18', 'resnet34'] as const;
const haveReference = VARIANTS.every((v) =>
  [`${v}.safetensors`, `${v}.blocks.json`, 'chelsea-224-rgb.bin'].every((f) => existsSync(new URL(f, DIR))),
);

// TF.js' WASM backend (XNNPACK, still the CPU): a forward pass takes a tenth of the plain CPU backend's time.
beforeAll(async () => {
  setWasmPaths(`${resolve(import.meta.dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`);
  await tf.setBackend('wasm');
});

function mapOf(t: tf.Tensor4D): ActivationMap {
  const [, height, width, channels] = t.shape;
  return { data: t.dataSync() as Float32Array, height, width, channels };
}

/** The photo crop as RGBA bytes, normalized by the classifier's own preprocessing. */
function input(classifier: ResNetClassifier): tf.Tensor4D {
  const rgb = readFileSync(new URL('chelsea-224-rgb.bin', DIR));
  const rgba = new Int32Array((rgb.length / 3) * 4);
  for (let i = 0; i < rgb.length / 3; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return tf.tidy(() => classifier.normalize(tf.tensor4d(rgba, [1, 224, 224, 4], 'int32')));
}

/** Every block's RMS values, stage after stage, each stage run from the last block's output of the one before. */
async function allBlocks(classifier: ResNetClassifier, x: tf.Tensor4D) {
  const stem = classifier.network().toStage(x, 'stem');
  let previous = mapOf(stem);
  stem.dispose();
  const values: BlockRms[] = [];
  const stages = classifier.architecture().nodes.filter((n) => n.kind === 'block');
  for (let stage = 0; stage < 4; stage++) {
    const count = stages.filter((n) => n.stage === `layer${stage + 1}`).length;
    const { blocks, kept } = await classifier.stageBlocks(previous, stage, count - 1);
    values.push(...blocks);
    previous = kept!;
  }
  return stages.map((node, i) => ({ id: node.id, ...values[i]! }));
}

/** The photo crop as the RGBA bytes a Look inside pass takes. */
function crop(): Uint8ClampedArray {
  const rgb = readFileSync(new URL('chelsea-224-rgb.bin', DIR));
  const rgba = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let i = 0; i < rgb.length / 3; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** Every block's RMS values as a detail gets them after Look inside: from that pass, which also keeps its output. */
async function fromLookInside(classifier: ResNetClassifier) {
  const { stages, blocks } = await classifier.inspect(crop(), 1, { blocks: true });
  for (const [stage, inStage] of blocks!.entries())
    expect(inStage.at(-1)!.output).toBe(stages[stage + 1]!.map);
  return blocks!.flat().map((b) => b.values);
}

describe.skipIf(!haveReference)('block values against PyTorch hooks on seeded torchvision weights', () => {
  it.each(VARIANTS)(
    '%s: every block within 1e-3 relative, its stage run or from the Look inside pass',
    async (variant: BuildableVariantId) => {
      const bytes = readFileSync(new URL(`${variant}.safetensors`, DIR));
      const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const classifier = (await loadClassifier({
        kind: 'files',
        origin: 'file',
        name: `${variant}.safetensors`,
        files: [{ name: `${variant}.safetensors`, data }],
      })) as ResNetClassifier;
      const reference = JSON.parse(readFileSync(new URL(`${variant}.blocks.json`, DIR), 'utf8')) as {
        blocks: Record<string, { residualRms: number; shortcutRms: number; outputRms: number }>;
      };
      const x = input(classifier);
      const before = tf.memory().numTensors;
      const got = await allBlocks(classifier, x);
      const inspected = await fromLookInside(classifier);
      expect(tf.memory().numTensors).toBe(before);
      expect(got.map((b) => b.id)).toEqual(Object.keys(reference.blocks));
      expect(inspected).toHaveLength(got.length);
      for (const block of [...got, ...inspected.map((v, i) => ({ ...v, id: got[i]!.id }))]) {
        const want = reference.blocks[block.id]!;
        for (const key of ['residualRms', 'shortcutRms', 'outputRms'] as const) {
          const relative = Math.abs(block[key] - want[key]) / want[key];
          expect({ block: block.id, key, relative: relative < 1e-3 }).toEqual({
            block: block.id,
            key,
            relative: true,
          });
        }
      }
      x.dispose();
      classifier.dispose();
    },
  );
});

describe('the fast path against the unfolded layers model', () => {
  // The reference design's layer4 and head with BatchNorm statistics, affine parameters and biases of a trained
  // network's size (a fold that forgot conv2's moved bias would be off); the layers before are never run, so they
  // stay as built. Stage inputs are made up: a block does not care where its input came from.
  let fast: ResNetClassifier;
  let slow: ResNetClassifier;
  const layer3Output = (): ActivationMap => {
    const t = tf.tidy(() => tf.relu(tf.randomNormal([1, 14, 14, 256], 0, 1, 'float32', 99)) as tf.Tensor4D);
    const map = mapOf(t);
    t.dispose();
    return map;
  };

  beforeAll(async () => {
    const model = await buildResNet({ variant: 'resnet18', init: 'zeros' });
    let seed = 11;
    for (const layer of model.layers.filter((l) => /^(layer4_|fc$)/.test(l.name))) {
      const fresh = layer.getWeights().map((w, i) => {
        const name = layer.weights[i]!.originalName.split('/').at(-1);
        const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
        if (name === 'kernel') return tf.randomNormal(w.shape, 0, Math.sqrt(2 / fanIn), 'float32', seed++);
        if (name === 'gamma' || name === 'moving_variance') {
          return tf.randomUniform(w.shape, 0.5, 1.5, 'float32', seed++);
        }
        return tf.randomNormal(w.shape, 0, 0.2, 'float32', seed++); // beta, moving mean, biases
      });
      layer.setWeights(fresh);
      tf.dispose(fresh);
    }
    const parts = {
      summary: summarizeStages(model, 'resnet18', 'reference'),
      preprocess: IMAGENET_TORCHVISION_PREPROCESS,
      weights: { origin: 'random' as const, name: 'test' },
    };
    fast = new ResNetClassifier(model, parts);
    // The same model as ResNet50 runs: layer by layer, BatchNorm applied as it is (no fast path for a keras flavor).
    slow = new ResNetClassifier(model, { ...parts, summary: { ...parts.summary, flavor: 'keras' } });
  });

  afterAll(() => {
    // The two share one layers model: disposing one frees it.
    fast.dispose();
  });

  it("gives the reference design's true branch values, conv2's bias moved back off the shortcut", async () => {
    const input = layer3Output();
    const before = tf.memory().numTensors;
    const fromFast = await fast.stageBlocks(input, 3, 1);
    const fromLayers = await slow.stageBlocks(input, 3, 1);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, block] of fromFast.blocks.entries()) {
      const want = fromLayers.blocks[i]!;
      for (const key of ['residualRms', 'shortcutRms', 'outputRms'] as const) {
        expect(Math.abs(block[key] - want[key]) / want[key]).toBeLessThan(1e-4);
      }
    }
    const kept = fromFast.kept!;
    expect([kept.height, kept.width, kept.channels]).toEqual([7, 7, 512]);
    const worst = Math.max(...kept.data.map((v, i) => Math.abs(v - fromLayers.kept!.data[i]!)));
    expect(worst).toBeLessThan(1e-4 * Math.max(...fromLayers.kept!.data));
  });

  it('runs a stage only up to the block asked for, with the values the whole stage gives it', async () => {
    const input = layer3Output();
    for (const classifier of [fast, slow]) {
      const before = tf.memory().numTensors;
      const whole = await classifier.stageBlocks(input, 3, null);
      const first = await classifier.stageBlocks(input, 3, 0);
      expect(tf.memory().numTensors).toBe(before);
      expect(whole.blocks).toHaveLength(2);
      expect(whole.kept).toBeNull();
      expect(first.blocks).toHaveLength(1);
      for (const key of ['residualRms', 'shortcutRms', 'outputRms'] as const) {
        expect(Math.abs(first.blocks[0]![key] - whole.blocks[0]![key]) / whole.blocks[0]![key]).toBeLessThan(
          1e-6,
        );
      }
      expect([first.kept!.height, first.kept!.width, first.kept!.channels]).toEqual([7, 7, 512]);
      await expect(classifier.stageBlocks(input, 3, 2)).rejects.toThrow(RangeError);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("gives every block's output and values from the Look inside pass only when asked, as its stage's run does", async () => {
    for (const classifier of [fast, slow]) {
      const before = tf.memory().numTensors;
      const plain = await classifier.inspect(crop(), 1);
      const { stages, blocks } = await classifier.inspect(crop(), 1, { blocks: true });
      expect(tf.memory().numTensors).toBe(before);
      expect(plain.blocks).toBeUndefined();
      expect(plain.stages.map((s) => s.map.data)).toEqual(stages.map((s) => s.map.data));
      expect(blocks!.map((b) => b.length)).toEqual([2, 2, 2, 2]);
      expect(blocks!.map((b) => b.at(-1)!.output)).toEqual(stages.slice(1).map((s) => s.map));
      // layer4 (the layers before are zeros as built, so its blocks see their biases only): run from layer3's output.
      const run = await classifier.stageBlocks(stages[3]!.map, 3, 0);
      const got = blocks![3]![0]!;
      expect([got.output.height, got.output.width, got.output.channels]).toEqual([7, 7, 512]);
      expect(Math.max(...got.output.data)).toBeGreaterThan(0);
      const worst = Math.max(...got.output.data.map((v, i) => Math.abs(v - run.kept!.data[i]!)));
      expect(worst).toBeLessThanOrEqual(1e-5 * Math.max(1, ...run.kept!.data));
      for (const key of ['residualRms', 'shortcutRms', 'outputRms'] as const) {
        expect(Math.abs(got.values[key] - run.blocks[0]![key]) / run.blocks[0]![key]).toBeLessThan(1e-5);
      }
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('gives the same Grad-CAM at a block through the folded fast path and the layer-by-layer run', async () => {
    const input = layer3Output();
    const fastCam = await fast.blockGradCam(input, 3, 0, 7);
    const layersCam = await slow.blockGradCam(input, 3, 0, 7);
    expect([fastCam.height, fastCam.width, fastCam.channels]).toEqual([7, 7, 1]);
    const peak = Math.max(...layersCam.data);
    expect(peak).toBeGreaterThan(0);
    const worst = Math.max(...fastCam.data.map((v, i) => Math.abs(v - layersCam.data[i]!)));
    expect(worst / peak).toBeLessThan(1e-3);
  });

  it("at the last block, Grad-CAM is the class activation map's positive part over H x W", async () => {
    const input = layer3Output();
    const before = tf.memory().numTensors;
    const cam = await fast.blockGradCam(input, 3, 1, 281);
    // Gradient passes keep the kernels they make for later passes (as explanations do); nothing else stays.
    const kept = tf.memory().numTensors - before;
    await fast.blockGradCam(input, 3, 1, 281);
    expect(tf.memory().numTensors - before).toBe(kept);
    // Global average pooling then the dense layer: the gradient at every position is the class's fc column / 49.
    const a = (await fast.stageBlocks(input, 3, 1)).kept!;
    const fc = await fast.fcKernel();
    for (let p = 0; p < 49; p++) {
      let s = 0;
      for (let k = 0; k < 512; k++) s += a.data[p * 512 + k]! * fc.kernel[k * fc.classes + 281]!;
      const want = Math.max(0, s) / 49;
      expect(Math.abs(cam.data[p]! - want)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)));
    }
  });
});
