/**
 * The engine's block requests in Node: which passes the Network view's chart and details cost. An image whose
 * blocks were let go gets them back in one pass from its kept crop, so the details after it only draw.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { ResNetClassifier } from '../model/classifier';
import type { EngineImage, ModelHandle } from '../shared/protocol';
import { RESNET18_BLOCKS } from '../testing/resnet18Blocks';
import { setWasmBackend } from '../testing/wasmBackend';
import { InferenceEngine } from './engine';

// Node has no OffscreenCanvas: an image's bytes here are its 224x224 RGBA crop.
vi.mock('./decodeImage', async (original) => {
  const actual = await original<typeof import('./decodeImage')>();
  return {
    ...actual,
    decodeAndCrop: vi.fn(async (blob: Blob) => ({
      rgba: new Uint8ClampedArray(await blob.arrayBuffer()),
      sourceWidth: 224,
      sourceHeight: 224,
    })),
    warmUpDecoding: vi.fn(async () => undefined),
  };
});

function image(id: string, level: number): EngineImage {
  const rgba = new Uint8ClampedArray(224 * 224 * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = i % 4 === 3 ? 255 : (level + 7 * (i % 97)) % 256;
  return { id, blob: new Blob([rgba]) };
}

let engine: InferenceEngine;
let handle: ModelHandle;

beforeAll(async () => {
  await setWasmBackend();
  engine = new InferenceEngine();
  await engine.setEventSink(() => undefined);
  handle = (await engine.load({ kind: 'random', variant: 'resnet18', seed: 5 })).handle;
});

afterAll(() => engine.dispose());

describe('InferenceEngine: the Network view’s blocks', () => {
  it('gives the chart from one pass with every block, and again after another image took the blocks', async () => {
    const passes = vi.spyOn(ResNetClassifier.prototype, 'inspect');
    const stageRuns = vi.spyOn(ResNetClassifier.prototype, 'stageBlocks');
    const a = image('a', 10);
    const b = image('b', 90);

    const first = await engine.blockContributions(handle, a);
    expect(first.contributions.map((c) => c.nodeId)).toEqual(RESNET18_BLOCKS);
    expect(passes.mock.calls.map((c) => c[2])).toEqual([{ blocks: true }]);

    // Kept: asked again, nothing runs.
    await engine.blockContributions(handle, a);
    expect(passes).toHaveBeenCalledTimes(1);

    // Another image's blocks are the ones kept now; a's come back from one pass over its kept crop, the same values.
    await engine.blockContributions(handle, b);
    const again = await engine.blockContributions(handle, a);
    expect(passes.mock.calls.map((c) => c[2])).toEqual([
      { blocks: true },
      { blocks: true },
      { blocks: true },
    ]);
    expect(again.contributions).toEqual(first.contributions);
    expect(stageRuns).not.toHaveBeenCalled();
    passes.mockRestore();
    stageRuns.mockRestore();
  });

  it('leaves no tensor behind when the model is released', async () => {
    const before = tf.memory().numTensors;
    const extra = (await engine.load({ kind: 'random', variant: 'resnet18', seed: 6 })).handle;
    await engine.blockContributions(extra, image('c', 40));
    await engine.release(extra);
    expect(tf.memory().numTensors).toBe(before);
  });
});
