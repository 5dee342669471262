/**
 * Inputs the fuzzer (tfjsFormat.fuzz.test.ts) found that made loadLayersModelFromFiles throw something other
 * than a WeightsFormatError, over-allocate or leak tensors, replayed so that the fixes stay in place.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it, vi } from 'vitest';

import type { NamedBuffer } from '../../shared/weightsFormat';
import { toArrayBuffer, utf8 } from '../../testing/fuzz';
import { tinyResNetNamedExport } from '../../testing/fuzzTfjs';
import { WeightsFormatError, type WeightsFormatErrorCode } from './tensorMap';
import { buildResNet } from '../buildResNet';
import { exportLayersModel, loadLayersModelFromFiles } from './tfjsFormat';

// Watched, so a test can tell whether TF.js was asked to build a model: building allocates whatever the topology
// says, which is what some of these inputs once made it do.
vi.mock('@tensorflow/tfjs-layers', async (importOriginal) => {
  const layers = await importOriginal<typeof import('@tensorflow/tfjs-layers')>();
  return { ...layers, loadLayersModel: vi.fn(layers.loadLayersModel) };
});

let seed: Awaited<ReturnType<typeof tinyResNetNamedExport>>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  seed = await tinyResNetNamedExport();
});

const jsonFile = (json: unknown): NamedBuffer => ({
  name: 'model.json',
  data: toArrayBuffer(utf8(JSON.stringify(json))),
});
const shard = (name: string, bytes = 8): NamedBuffer => ({ name, data: new ArrayBuffer(bytes) });

/** The refusal, with its code and message, and no tensor left behind. */
async function refusal(files: NamedBuffer[], code: WeightsFormatErrorCode, message: RegExp): Promise<void> {
  const tensorsBefore = tf.memory().numTensors;
  const error = await loadLayersModelFromFiles(files).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WeightsFormatError);
  expect((error as WeightsFormatError).code).toBe(code);
  expect((error as Error).message).toMatch(message);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
}

/**
 * The refusal, given before TF.js is asked to build anything. While it runs, building throws instead of
 * allocating, so a check that came undone fails at once (with TF.js's failure in the message) rather than
 * taking the gigabytes a lying topology asks for.
 */
async function refusalBeforeBuilding(
  files: NamedBuffer[],
  code: WeightsFormatErrorCode,
  message: RegExp,
): Promise<void> {
  const build = vi.mocked(tfl.loadLayersModel);
  build.mockClear();
  build.mockImplementation(() => {
    throw new Error('TF.js was asked to build the model');
  });
  try {
    await refusal(files, code, message);
  } finally {
    build.mockReset(); // back to TF.js's own
  }
  expect(build).not.toHaveBeenCalled();
}

describe('loadLayersModelFromFiles regressions found by fuzzing', () => {
  it('a manifest whose paths or weights are not lists (was TypeError: not iterable)', async () => {
    const topology = { class_name: 'Model' };
    await refusal(
      [jsonFile({ modelTopology: topology, weightsManifest: [{ paths: 5, weights: [] }] })],
      'bad-header',
      /without paths and weights lists/,
    );
    await refusal(
      [jsonFile({ modelTopology: topology, weightsManifest: [null] })],
      'bad-header',
      /without paths and weights lists/,
    );
    await refusal(
      [jsonFile({ modelTopology: topology, weightsManifest: [{ paths: [7], weights: [] }] })],
      'bad-header',
      /other than a string/,
    );
    await refusal(
      [jsonFile({ modelTopology: topology, weightsManifest: [{ paths: [], weights: [{ name: 'w' }] }] })],
      'bad-header',
      /invalid shape/,
    );
  });

  it('200,000 weight entries (was RangeError: Maximum call stack size exceeded, from a spread)', async () => {
    const weights = Array.from({ length: 200_000 }, () => ({ name: 'w', shape: [], dtype: 'float32' }));
    await refusal(
      [jsonFile({ modelTopology: {}, weightsManifest: [{ paths: [], weights }] })],
      'truncated',
      /describes 800000/,
    );
  });

  it('a weight of shape [-4, -4], which has "16" elements (was accepted and handed to TF.js)', async () => {
    const weights = [{ name: 'w', shape: [-4, -4], dtype: 'float32' }];
    await refusal(
      [jsonFile({ modelTopology: {}, weightsManifest: [{ paths: ['a.bin'], weights }] }), shard('a.bin', 64)],
      'bad-header',
      /invalid shape/,
    );
  });

  it('one shard named 1,000 times (was concatenated 1,000 times: memory the files do not hold)', async () => {
    const paths = Array.from({ length: 1000 }, () => 'a.bin');
    await refusal(
      [jsonFile({ modelTopology: {}, weightsManifest: [{ paths, weights: [] }] }), shard('a.bin')],
      'bad-header',
      /names weight file a\.bin twice/,
    );
  });

  it('a uint16-quantized weight takes 2 bytes an element, not 4', async () => {
    const weights = [
      { name: 'w', shape: [4], dtype: 'float32', quantization: { dtype: 'uint16', scale: 1, min: 0 } },
    ];
    // Past the byte count now: it fails only later, at the layer names.
    await refusal(
      [jsonFile({ modelTopology: {}, weightsManifest: [{ paths: ['a.bin'], weights }] }), shard('a.bin', 8)],
      'not-a-checkpoint',
      /not a ResNet18\/34/,
    );
  });

  it('a ResNet-named model with an unknown layer class (was TF.js ValueError "Unknown layer")', async () => {
    const json = structuredClone(seed.json) as {
      modelTopology: { config: { layers: Array<{ class_name: string }> } };
    };
    json.modelTopology.config.layers[3]!.class_name = 'NoSuchLayer';
    await refusalBeforeBuilding(
      [jsonFile(json), { name: seed.binName, data: toArrayBuffer(seed.bin) }],
      'bad-header',
      /has a layer of class NoSuchLayer/,
    );
  });

  it('a layer replaced by a Dense of 2^30 units (TF.js allocated it before comparing with the weights: the worker died)', async () => {
    const json = structuredClone(seed.json) as { modelTopology: { config: { layers: unknown[] } } };
    json.modelTopology.config.layers[10] = { class_name: 'Dense', config: { units: 2 ** 30, name: 'fc' } };
    await refusalBeforeBuilding(
      [jsonFile(json), { name: seed.binName, data: toArrayBuffer(seed.bin) }],
      'bad-header',
      /weight fc\/kernel would be \[2,1073741824\]/,
    );
  });

  it('a kernel_constraint that is a Dense layer of 2^30 units (TF.js built it when setting the weights: the worker died)', async () => {
    const json = structuredClone(seed.json) as {
      modelTopology: { config: { layers: Array<{ config: Record<string, unknown> }> } };
    };
    json.modelTopology.config.layers[8]!.config.kernel_constraint = {
      class_name: 'Dense',
      config: { units: 2 ** 30, name: 'fc' },
    };
    await refusalBeforeBuilding(
      [jsonFile(json), { name: seed.binName, data: toArrayBuffer(seed.bin) }],
      'bad-header',
      /with an unsupported kernel_constraint/,
    );
  });

  it('a weight of the wrong shape for its layer is refused before anything is built', async () => {
    const json = structuredClone(seed.json) as {
      weightsManifest: Array<{ weights: Array<{ shape: number[] }> }>;
    };
    json.weightsManifest[0]!.weights[0]!.shape = [2, 3]; // stem_conv's kernel is [3, 2]: same bytes, wrong shape
    await refusalBeforeBuilding(
      [jsonFile(json), { name: seed.binName, data: toArrayBuffer(seed.bin) }],
      'bad-header',
      /stem_conv\/kernel would be \[3,2\], but the manifest says \[2,3\]/,
    );
  });

  it('a weight no layer has: TF.js refuses after building, and the variables and decoded weights are disposed (they leaked)', async () => {
    const json = structuredClone(seed.json) as { weightsManifest: Array<{ weights: unknown[] }> };
    json.weightsManifest[0]!.weights.push({ name: 'nowhere/kernel', shape: [2], dtype: 'float32' });
    const bin = new Uint8Array(seed.bin.length + 8);
    bin.set(seed.bin);
    const variablesBefore = Object.keys(tf.engine().state.registeredVariables).length;
    await refusal(
      [jsonFile(json), { name: seed.binName, data: toArrayBuffer(bin) }],
      'bad-header',
      /cannot build/,
    );
    expect(Object.keys(tf.engine().state.registeredVariables)).toHaveLength(variablesBefore);
  });

  it.each([
    ['resnet18', 'torchvision'],
    ['resnet18', 'reference'],
    ['resnet34', 'torchvision'],
    ['resnet34', 'reference'],
  ] as const)('still loads a real %s %s export, with every layer size checked', async (variant, flavor) => {
    const built = await buildResNet({ variant, flavor, init: 'zeros' });
    const exported = await exportLayersModel(built, { variant, flavor, weightsName: 'x' });
    built.dispose();
    const loaded = await loadLayersModelFromFiles([
      { name: exported.jsonName, data: toArrayBuffer(utf8(exported.modelJson)) },
      { name: exported.binName, data: exported.weightsBin },
    ]);
    expect([loaded.variant, loaded.flavor]).toEqual([variant, flavor]);
    loaded.model.dispose();
  });

  it('still loads the valid export and identifies it', async () => {
    const { model, variant } = await loadLayersModelFromFiles([
      jsonFile(seed.json),
      { name: seed.binName, data: toArrayBuffer(seed.bin) },
    ]);
    expect(variant).toBe('resnet18');
    expect(tf.tidy(() => (model.predict(tf.ones([1, 3])) as tf.Tensor).shape)).toEqual([1, 2]);
    model.dispose();
  });
});
