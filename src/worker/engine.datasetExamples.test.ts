/**
 * Dataset examples in the engine, in Node on a seeded ResNet18: images ranked by a channel and by a class, checked
 * against the same model's own full pass (every stage's output, and the logits with the head's kernel), with
 * progress after each batch, a bad image skipped, a cancel between batches, and every tensor freed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { Classifier, ResNetClassifier } from '../model/classifier';
import { loadClassifier } from '../model/loadClassifier';
import { JOB_CANCELLED } from '../shared/jobs';
import type { EngineImage, FeatureVisTarget, ModelHandle } from '../shared/protocol';
import { cropDecoder, EngineRig } from '../testing/engineRig';
import { InferenceEngine } from './engine';

// Node has no OffscreenCanvas: the decoder takes an image's bytes as its crop (see cropDecoder).
vi.mock('./decodeImage', (original) => cropDecoder(original));

const SEED = 9;

/** A crop with a bright square at its own place and noise of its own, so that units differ between images. */
function crop(n: number): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(224 * 224 * 4);
  let state = 7 + 31 * n;
  const [top, left] = [(n * 37) % 160, (n * 71) % 160];
  for (let y = 0; y < 224; y++) {
    for (let x = 0; x < 224; x++) {
      state = (state * 1103515245 + 12345) % 2147483648;
      const inside = y >= top && y < top + 48 && x >= left && x < left + 48;
      const p = 4 * (224 * y + x);
      for (let c = 0; c < 3; c++) rgba[p + c] = (inside ? 120 + 40 * ((n + c) % 3) : 30 * c) + (state % 60);
      rgba[p + 3] = 255;
    }
  }
  return rgba;
}

const crops = Array.from({ length: 6 }, (_, n) => crop(n));
const images: EngineImage[] = crops.map((rgba, n) => ({ id: `img-${n}`, blob: new Blob([rgba]) }));
const broken: EngineImage = { id: 'broken', blob: new Blob(['not an image']) };

let engine: InferenceEngine;
let handle: ModelHandle;
/** The same model built again outside the engine: the reference. */
let reference: Classifier;
let engineTensors: number;
const rig = new EngineRig<InferenceEngine>();

beforeAll(async () => {
  ({ engine, handle } = await rig.start(new InferenceEngine(), SEED));
  reference = await loadClassifier({ kind: 'random', variant: 'resnet18', seed: SEED });
  // A first ranking of each kind, so that what a first pass keeps with the model is counted in.
  await engine.datasetExamples(
    handle,
    images.slice(0, 1),
    { target: { kind: 'class', classIndex: 0 }, top: 1 },
    'dx-0',
  );
  engineTensors = tf.memory().numTensors;
});

afterAll(async () => {
  reference.dispose();
  await engine.dispose();
});

/** A channel's mean over space and its largest cell, from the reference's full pass (every stage, read back). */
async function channelReference(rgba: Uint8ClampedArray, stage: string, channel: number) {
  const { stages } = await reference.inspect(rgba, 1);
  const { data, height, width, channels } = stages.find((s) => s.stage === stage)!.map;
  let sum = 0;
  let best = -Infinity;
  let at = 0;
  for (let p = 0; p < height * width; p++) {
    const v = data[p * channels + channel]!;
    sum += v;
    if (v > best) [best, at] = [v, p];
  }
  return { value: sum / (height * width), cell: { row: Math.floor(at / width), col: at % width } };
}

/** A class's logit from the reference's own forward pass, and its class activation map's largest cell at layer4. */
async function classReference(rgba: Uint8ClampedArray, classIndex: number) {
  const x = tf.tidy(() => reference.normalize(tf.tensor4d(Int32Array.from(rgba), [1, 224, 224, 4], 'int32')));
  const logits = (reference as ResNetClassifier).logits(x);
  const value = (await logits.data())[classIndex]!;
  tf.dispose([x, logits]);
  const { stages } = await reference.inspect(rgba, 1);
  const { data, height, width, channels } = stages.find((s) => s.stage === 'layer4')!.map;
  const { kernel, classes } = await reference.fcKernel();
  let best = -Infinity;
  let at = 0;
  for (let p = 0; p < height * width; p++) {
    let s = 0;
    for (let k = 0; k < channels; k++) s += data[p * channels + k]! * kernel[k * classes + classIndex]!;
    if (s > best) [best, at] = [s, p];
  }
  return { value, cell: { row: Math.floor(at / width), col: at % width } };
}

async function expectMatches(
  target: FeatureVisTarget,
  expected: (rgba: Uint8ClampedArray) => Promise<{ value: number; cell: { row: number; col: number } }>,
  grid: number,
) {
  const result = await engine.datasetExamples(
    handle,
    [...images, broken],
    { target, top: 3 },
    `dx-${target.kind}`,
  );
  const want = await Promise.all(
    crops.map(async (rgba, n) => ({ imageId: `img-${n}`, ...(await expected(rgba)) })),
  );
  want.sort((a, b) => b.value - a.value);
  // Distinct enough that the order is not down to rounding (channel 7 chosen so: many of this random model's
  // channels are zero for all of these images).
  for (let i = 1; i < want.length; i++) expect(want[i - 1]!.value - want[i]!.value).toBeGreaterThan(1e-4);
  expect(result.ranked.map((e) => e.imageId)).toEqual(want.map((w) => w.imageId));
  result.ranked.forEach((e, i) => {
    const scale = Math.max(1, Math.abs(want[i]!.value));
    expect(Math.abs(e.value - want[i]!.value) / scale).toBeLessThan(1e-4);
    expect(e.cell).toEqual({ ...want[i]!.cell, rows: grid, cols: grid });
  });
  // The top 3 come with the crop the network saw; the rest without.
  expect(result.ranked.map((e) => e.crop !== undefined)).toEqual([true, true, true, false, false, false]);
  const first = result.ranked[0]!;
  expect(first.crop).toMatchObject({ width: 224, height: 224 });
  expect(first.crop!.rgba).toEqual(crops[Number(first.imageId.slice(4))]);
  expect(result.skipped).toEqual([{ imageId: 'broken', message: 'Not an image.' }]);
  return result;
}

describe('InferenceEngine: dataset examples', () => {
  it('ranks images by a channel’s mean over space, with its largest cell, as the model’s own pass has them', async () => {
    await expectMatches(
      { kind: 'channel', stage: 'layer3', channel: 7 },
      (rgba) => channelReference(rgba, 'layer3', 7),
      14,
    );
    // Two batches of four (the broken image in the second): progress after each.
    const progress = rig
      .ofJob('dx-channel')
      .flatMap((e) => (e.type === 'progress' ? [e.progress.fraction] : []));
    expect(progress).toEqual([4 / 7, 1]);
    expect(tf.memory().numTensors).toBe(engineTensors);
  });

  it('ranks images by a class’s logit, its cell the class activation map’s largest at the last stage', async () => {
    await expectMatches({ kind: 'class', classIndex: 281 }, (rgba) => classReference(rgba, 281), 7);
    expect(tf.memory().numTensors).toBe(engineTensors);
  });

  it('stops between batches when cancelled, and frees what it made', async () => {
    rig.onEvent = (event) => {
      if (event.type === 'progress' && event.job === 'dx-cancel') void engine.cancel('dx-cancel');
    };
    await expect(
      engine.datasetExamples(
        handle,
        [...images, ...images],
        { target: { kind: 'class', classIndex: 3 }, top: 9 },
        'dx-cancel',
      ),
    ).rejects.toMatchObject({ name: JOB_CANCELLED });
    rig.onEvent = () => undefined;
    expect(rig.ofJob('dx-cancel').filter((e) => e.type === 'progress')).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(engineTensors);
  });

  it('refuses a unit the model does not have, naming why', async () => {
    const ask = (target: FeatureVisTarget) =>
      engine.datasetExamples(handle, images, { target, top: 9 }, 'dx-bad');
    await expect(ask({ kind: 'channel', stage: 'layer4', channel: 512 })).rejects.toThrow(
      /512 channels, not channel 512/,
    );
    await expect(ask({ kind: 'class', classIndex: 1000 })).rejects.toThrow(/1000 classes, not class 1000/);
    expect(tf.memory().numTensors).toBe(engineTensors);
  });
});
