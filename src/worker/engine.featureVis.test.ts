/**
 * The engine's feature visualization request in Node on a seeded ResNet18 (small pictures, few steps): progress and
 * pictures as events, the same seed to the same picture, a cancel between steps, a bad request refused, and every
 * tensor freed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { JOB_CANCELLED } from '../shared/jobs';
import type { FeatureVisRequest, ModelHandle } from '../shared/protocol';
import { cropDecoder, EngineRig } from '../testing/engineRig';
import { InferenceEngine } from './engine';

// Node has no OffscreenCanvas: the decoder takes an image's bytes as its crop (see cropDecoder), so a picture is
// classified as a dropped photo's crop.
vi.mock('./decodeImage', (original) => cropDecoder(original));

let engine: InferenceEngine;
let handle: ModelHandle;
/**
 * Tensors with the model loaded and one visualization run: the first gradient pass makes the convolutions'
 * input-gradient kernels, kept with the model for later passes (as explanations' are).
 */
let modelTensors: number;
const rig = new EngineRig<InferenceEngine>();

const CHANNEL: FeatureVisRequest = {
  target: { kind: 'channel', stage: 'layer3', channel: 17 },
  steps: 6,
  seed: 4,
  size: 64,
  pictureEvery: 2,
};

beforeAll(async () => {
  ({ engine, handle } = await rig.start(new InferenceEngine(), 9));
  await engine.featureVisualization(handle, { ...CHANNEL, steps: 1 }, 'fv-0');
  await engine.featureVisualization(
    handle,
    { ...CHANNEL, target: { kind: 'class', classIndex: 1 }, steps: 1 },
    'fv-0',
  );
  rig.events.length = 0;
  modelTensors = tf.memory().numTensors;
});

afterAll(() => engine.dispose());

describe('InferenceEngine: feature visualization', () => {
  it('grows a picture with progress after each step and the picture so far every few steps', async () => {
    const result = await engine.featureVisualization(handle, CHANNEL, 'fv-1');
    expect([result.picture.width, result.picture.height]).toEqual([64, 64]);
    expect(result.picture.rgba).toHaveLength(64 * 64 * 4);
    expect(result.values).toHaveLength(6);
    expect(Number.isFinite(result.value)).toBe(true);
    expect(result.stepMs).toBeGreaterThan(0);
    const progress = rig.ofJob('fv-1').flatMap((e) => (e.type === 'progress' ? [e.progress.fraction] : []));
    expect(progress).toEqual([1, 2, 3, 4, 5, 6].map((s) => s / 6));
    // Every second step but the last, whose picture is the answer.
    const pictures = rig.ofJob('fv-1').flatMap((e) => (e.type === 'featvis-picture' ? [e] : []));
    expect(pictures.map((p) => p.step)).toEqual([2, 4]);
    expect(pictures[0]!.picture.rgba).not.toEqual(result.picture.rgba);
    expect(tf.memory().numTensors).toBe(modelTensors);
  });

  it('gives the same picture for the same seed, another for another seed, and climbs its objective', async () => {
    const request = { ...CHANNEL, steps: 12, pictureEvery: undefined } as FeatureVisRequest;
    const a = await engine.featureVisualization(handle, request, 'fv-2');
    const b = await engine.featureVisualization(handle, request, 'fv-3');
    const c = await engine.featureVisualization(handle, { ...request, seed: 5 }, 'fv-4');
    expect(b.picture.rgba).toEqual(a.picture.rgba);
    expect(b.values).toEqual(a.values);
    expect(c.picture.rgba).not.toEqual(a.picture.rgba);
    const firstThree = a.values.slice(0, 3).reduce((s, v) => s + v, 0) / 3;
    const lastThree = a.values.slice(-3).reduce((s, v) => s + v, 0) / 3;
    expect(lastThree).toBeGreaterThan(firstThree);
  });

  it('maximizes a class logit too, and names the top-1 of its picture as a classification of it does', async () => {
    const result = await engine.featureVisualization(
      handle,
      { target: { kind: 'class', classIndex: 281 }, steps: 2, seed: 1, size: 224 },
      'fv-5',
    );
    expect(result.values).toHaveLength(2);
    // The same picture as a dropped photo's 224-px crop (its bytes, through the classification path).
    const [answer] = await engine.classify(
      handle,
      [{ id: 'fv-5-picture', blob: new Blob([new Uint8Array(result.picture.rgba)]) }],
      1,
    );
    expect(answer).toMatchObject({ ok: true });
    expect(result.topClass).toBe(answer?.ok ? answer.predictions[0]!.classIndex : -1);
    const channel = await engine.featureVisualization(handle, { ...CHANNEL, steps: 1 }, 'fv-5c');
    expect(channel.topClass).toBeUndefined();
  });

  it('stops between steps when cancelled, and frees what it made', async () => {
    rig.onEvent = (event) => {
      if (event.type === 'progress' && event.job === 'fv-6' && (event.progress.fraction ?? 0) >= 2 / 50) {
        void engine.cancel('fv-6');
      }
    };
    await expect(
      engine.featureVisualization(handle, { ...CHANNEL, steps: 50 }, 'fv-6'),
    ).rejects.toMatchObject({ name: JOB_CANCELLED });
    rig.onEvent = () => undefined;
    const steps = rig.ofJob('fv-6').filter((e) => e.type === 'progress').length;
    expect(steps).toBeLessThan(5);
    expect(tf.memory().numTensors).toBe(modelTensors);
  });

  it('refuses a request it cannot run, naming why', async () => {
    await expect(engine.featureVisualization(handle, { ...CHANNEL, size: 63 }, 'fv-7')).rejects.toThrow(
      /even number of pixels/,
    );
    await expect(engine.featureVisualization(handle, { ...CHANNEL, steps: 0 }, 'fv-8')).rejects.toThrow(
      /Steps must be/,
    );
    await expect(
      engine.featureVisualization(
        handle,
        { ...CHANNEL, target: { kind: 'channel', stage: 'layer4', channel: 512 } },
        'fv-9',
      ),
    ).rejects.toThrow(/512 channels, not channel 512/);
    expect(tf.memory().numTensors).toBe(modelTensors);
  });
});
