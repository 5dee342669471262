/**
 * Fuzzes modelFromWeightFiles, which recognizes each file by content and dispatches to the safetensors,
 * PyTorch or TF.js reader: any mix of mutated weight files under any names must end, quickly, in a model or
 * a WeightsFormatError, and leave no tensor behind.
 */
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import type { NamedBuffer } from '../../shared/weightsFormat';
import {
  FUZZ_TIMEOUT_MS,
  FuzzRecorder,
  type Seed,
  fuzzParameters,
  mutatedSeed,
  toArrayBuffer,
  utf8,
  zipLayout,
} from '../../testing/fuzz';
import { tinyResNetNamedExport } from '../../testing/fuzzTfjs';
import { modelFromWeightFiles } from './loadWeightFiles';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url)));

let seeds: Seed[] = [];
let binName = '';

beforeAll(async () => {
  await tf.setBackend('cpu');
  const tfjs = await tinyResNetNamedExport();
  binName = tfjs.binName;
  const pth = ['small.pth', 'checkpoint-model.pth', 'legacy.pth'].map((name) => ({
    bytes: fixture(name),
    ...zipLayout(fixture(name)),
  }));
  seeds = [
    { bytes: fixture('mixed.safetensors') },
    { bytes: fixture('int32.safetensors') },
    ...pth,
    { bytes: utf8(tfjs.jsonText) },
    { bytes: tfjs.bin },
  ];
});

const NAMES = [
  'model.json',
  'weights.safetensors',
  'model.pth',
  'w.pt',
  'group1-shard1of1.bin',
  'notes.txt',
  'x.json',
  'resnet18-torchvision.weights.bin',
];

describe('modelFromWeightFiles fuzz', () => {
  it(
    'fuzz: any files end in a model or a WeightsFormatError, quickly, without leaking tensors',
    async () => {
      const recorder = new FuzzRecorder('modelFromWeightFiles');
      // Seeds exist only once beforeAll has run, so the arbitrary is built here.
      const file = fc.record({
        bytes: fc.oneof(
          mutatedSeed(seeds),
          fc.nat(seeds.length - 1).map((i) => seeds[i]!.bytes),
        ),
        name: fc.oneof(fc.constantFrom(...NAMES), fc.constant(binName), fc.string({ maxLength: 8 })),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 3, arbitrary: file.map((one) => [one]) },
            { weight: 1, arbitrary: fc.array(file, { minLength: 2, maxLength: 3 }) },
          ),
          fc.constantFrom('file' as const, 'url' as const, 'cache' as const),
          async (drawn, origin) => {
            const files: NamedBuffer[] = drawn.map(({ bytes, name }) => ({
              name,
              data: toArrayBuffer(bytes),
            }));
            const tensorsBefore = tf.memory().numTensors;
            const outcome = await recorder.runAsync(
              () => modelFromWeightFiles(files, origin, () => {}),
              () => `${origin} ${drawn.map((f) => `${f.name}:${f.bytes.length}`).join(', ')}`,
              ({ model }) => model.dispose(),
            );
            if (outcome.ok) outcome.value.model.dispose();
            expect(tf.memory().numTensors, 'tensors left behind').toBe(tensorsBefore);
          },
        ),
        fuzzParameters(),
      );
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});
