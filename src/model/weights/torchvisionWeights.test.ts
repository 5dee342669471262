import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rgbaToNormalizedRGB } from '../../testing/preprocessReference';
import { buildResNet } from '../buildResNet';
import type { LayersModel } from '../buildResNet';
import { IMAGENET_TORCHVISION_PREPROCESS } from '../preprocess/spec';
import { VARIANTS } from '../../shared/variants';
import type { BuildableVariantId } from '../../shared/variants';
import { parsePyTorchCheckpoint } from './pytorchZip';
import { parseSafetensors } from './safetensors';
import { WeightsFormatError } from './tensorMap';
import type { TensorMap, WeightsFormatErrorCode } from './tensorMap';
import {
  TensorMismatchError,
  applyTorchvisionWeights,
  detectArchitecture,
  expectedTorchvisionTensors,
  torchvisionTensorsFromModel,
  validateTorchvisionTensors,
} from './torchvisionWeights';
import { setWasmBackend } from '../../testing/wasmBackend';

beforeAll(async () => {
  await setWasmBackend();
});

// ---------------------------------------------------------------------------------------------------------
// Synthetic tensor maps: no fixtures needed.

/** The largest tensor (layer4's 3x3 convs) fits; every synthetic zero tensor is a view of this one buffer. */
const SHARED_ZEROS = new Float32Array(512 * 512 * 3 * 3);

function zerosMap(variant: BuildableVariantId): TensorMap {
  const tensors: TensorMap = new Map();
  for (const [name, shape] of expectedTorchvisionTensors(variant)) {
    const count = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, { shape, data: SHARED_ZEROS.subarray(0, count), dtype: 'F32' });
  }
  return tensors;
}

/** Seeded, so a failing comparison reproduces; distinct values so any transposition mistake shows. */
function randomMap(variant: BuildableVariantId, seed: number): TensorMap {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const tensors: TensorMap = new Map();
  for (const [name, shape] of expectedTorchvisionTensors(variant)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = next();
    tensors.set(name, { shape, data, dtype: 'F32' });
  }
  return tensors;
}

/** torchvision's resnet50 state-dict names (Bottleneck blocks), with placeholder values. */
function resnet50StyleMap(): TensorMap {
  const tensors: TensorMap = new Map();
  const add = (name: string) => tensors.set(name, { shape: [1], data: new Float32Array(1), dtype: 'F32' });
  const batchNorm = (prefix: string) =>
    ['weight', 'bias', 'running_mean', 'running_var'].forEach((f) => add(`${prefix}.${f}`));
  add('conv1.weight');
  batchNorm('bn1');
  [3, 4, 6, 3].forEach((blocks, stage) => {
    for (let block = 0; block < blocks; block++) {
      const prefix = `layer${stage + 1}.${block}`;
      for (const index of [1, 2, 3]) {
        add(`${prefix}.conv${index}.weight`);
        batchNorm(`${prefix}.bn${index}`);
      }
      if (block === 0) {
        add(`${prefix}.downsample.0.weight`);
        batchNorm(`${prefix}.downsample.1`);
      }
    }
  });
  add('fc.weight');
  add('fc.bias');
  return tensors;
}

/** Bitwise equality; toEqual on multi-million-element typed arrays takes minutes. */
function sameFloats(actual: tf.TypedArray | undefined, expected: tf.TypedArray | undefined): boolean {
  if (!(actual instanceof Float32Array) || !(expected instanceof Float32Array)) return false;
  if (actual.length !== expected.length) return false;
  const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return bytes(actual).equals(bytes(expected));
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

function expectFormatError(run: () => unknown, code: WeightsFormatErrorCode, ...messages: RegExp[]): Error {
  const error = caught(run);
  expect(error).toBeInstanceOf(WeightsFormatError);
  expect((error as WeightsFormatError).code).toBe(code);
  for (const message of messages) expect((error as Error).message).toMatch(message);
  return error as Error;
}

describe('expectedTorchvisionTensors', () => {
  it.each([
    ['resnet18', 102, 11_689_512],
    ['resnet34', 182, 21_797_672],
  ] as const)('%s: %i tensors, and PyTorch parameter count %i', (variant, count, parameters) => {
    const expected = expectedTorchvisionTensors(variant);
    expect(expected.size).toBe(count);
    // PyTorch's parameters() leaves out the BatchNorm running statistics (buffers).
    let parameterCount = 0;
    for (const [name, shape] of expected) {
      if (!/running_(mean|var)$/.test(name)) parameterCount += shape.reduce((a, b) => a * b, 1);
    }
    expect(parameterCount).toBe(parameters);
    expect(expected.get('conv1.weight')).toEqual([64, 3, 7, 7]);
    expect(expected.get('layer2.0.downsample.0.weight')).toEqual([128, 64, 1, 1]);
    expect(expected.has('layer1.0.downsample.0.weight')).toBe(false);
    expect(expected.get('fc.weight')).toEqual([1000, 512]);
  });
});

describe('detectArchitecture', () => {
  it('tells ResNet18 from ResNet34 by the blocks per stage', () => {
    expect(detectArchitecture(zerosMap('resnet18'))).toEqual({ variant: 'resnet18', flavor: 'torchvision' });
    expect(detectArchitecture(zerosMap('resnet34'))).toEqual({ variant: 'resnet34', flavor: 'torchvision' });
  });

  it('refuses a ResNet50 (Bottleneck) checkpoint, naming the tensor that gave it away', () => {
    expectFormatError(
      () => detectArchitecture(resnet50StyleMap()),
      'wrong-architecture',
      /Bottleneck/,
      /conv3/,
    );
  });

  it('refuses tensors with no ResNet blocks, listing a few names', () => {
    const tensors: TensorMap = new Map();
    for (let i = 0; i < 8; i++) {
      tensors.set(`encoder.weight${i}`, { shape: [2], data: new Float32Array(2), dtype: 'F32' });
    }
    expectFormatError(
      () => detectArchitecture(tensors),
      'wrong-architecture',
      /No ResNet block tensors/,
      /8 tensor/,
      /encoder\.weight0/,
      /and 3 more/,
    );
    expectFormatError(() => detectArchitecture(new Map()), 'wrong-architecture', /0 tensor/);
  });

  it('refuses an unknown depth, saying how many blocks it found', () => {
    const tensors = zerosMap('resnet34');
    for (let block = 6; block < 23; block++) {
      tensors.set(`layer3.${block}.conv1.weight`, { shape: [1], data: new Float32Array(1), dtype: 'F32' });
    }
    expectFormatError(
      () => detectArchitecture(tensors),
      'wrong-architecture',
      /layer3: 23/,
      /\[3, 4, 6, 3\]/,
    );
  });

  it("explains DataParallel's 'module.' prefix", () => {
    const prefixed: TensorMap = new Map(
      [...zerosMap('resnet18')].map(([name, entry]) => [`module.${name}`, entry]),
    );
    expectFormatError(() => detectArchitecture(prefixed), 'wrong-architecture', /module\./, /DataParallel/);
  });
});

describe('validateTorchvisionTensors', () => {
  it('accepts an exact state dict', () => {
    expect(() => validateTorchvisionTensors(zerosMap('resnet18'), 'resnet18')).not.toThrow();
    expect(() => validateTorchvisionTensors(zerosMap('resnet34'), 'resnet34')).not.toThrow();
  });

  it('names a missing tensor', () => {
    const tensors = zerosMap('resnet18');
    tensors.delete('layer3.1.bn2.running_var');
    expectFormatError(
      () => validateTorchvisionTensors(tensors, 'resnet18'),
      'missing-tensor',
      /1 missing: layer3\.1\.bn2\.running_var/,
    );
  });

  it('names an unexpected extra tensor', () => {
    const tensors = zerosMap('resnet18');
    tensors.set('fc2.weight', { shape: [3], data: new Float32Array(3), dtype: 'F32' });
    expectFormatError(
      () => validateTorchvisionTensors(tensors, 'resnet18'),
      'unexpected-tensor',
      /1 unexpected: fc2\.weight/,
    );
  });

  it('gives expected and actual shapes', () => {
    const tensors = zerosMap('resnet18');
    tensors.set('fc.weight', { shape: [10, 512], data: new Float32Array(5120), dtype: 'F32' });
    tensors.set('conv1.weight', { shape: [64, 3, 7, 7], data: new Float32Array(10), dtype: 'F32' });
    expectFormatError(
      () => validateTorchvisionTensors(tensors, 'resnet18'),
      'shape-mismatch',
      /2 with the wrong shape/,
      /fc\.weight \(expected \[1000, 512\], got \[10, 512\]\)/,
      /conv1\.weight \(expected \[64, 3, 7, 7\], got \[64, 3, 7, 7\] holding 10 values\)/,
    );
  });

  it('names a tensor holding NaN or Inf, with counts', () => {
    const tensors = zerosMap('resnet18');
    const poisoned = new Float32Array(64);
    poisoned[3] = NaN;
    poisoned[7] = NaN;
    poisoned[9] = -Infinity;
    tensors.set('layer1.0.bn1.running_var', { shape: [64], data: poisoned, dtype: 'F32' });
    expectFormatError(
      () => validateTorchvisionTensors(tensors, 'resnet18'),
      'non-finite',
      /layer1\.0\.bn1\.running_var \(2 NaN, 1 Inf\)/,
    );
  });

  it('lists every kind of problem in one message, at most 5 names each', () => {
    const tensors = zerosMap('resnet18');
    // Enough to overflow the list, but not a whole block: that would read as another architecture.
    const removed = [...tensors.keys()].filter((name) => name.startsWith('layer2.1.bn'));
    for (const name of removed) tensors.delete(name);
    tensors.set('extra.weight', { shape: [1], data: new Float32Array(1), dtype: 'F32' });
    tensors.set('bn1.bias', { shape: [32], data: new Float32Array(32), dtype: 'F32' });
    tensors.set('fc.bias', { shape: [1000], data: new Float32Array(1000).fill(Infinity), dtype: 'F32' });
    const error = expectFormatError(
      () => validateTorchvisionTensors(tensors, 'resnet18'),
      'missing-tensor',
      new RegExp(`${removed.length} missing: layer2\\.1\\.bn1\\.weight, .* and ${removed.length - 5} more;`),
      /1 unexpected: extra\.weight;/,
      /1 with the wrong shape: bn1\.bias \(expected \[64\], got \[32\]\);/,
      /1 with NaN\/Inf values: fc\.bias \(1000 Inf\)\.$/,
    );
    expect(error).toBeInstanceOf(TensorMismatchError);
    const { problems } = error as TensorMismatchError;
    expect(problems.missing).toEqual(removed);
    expect(problems.unexpected).toEqual(['extra.weight']);
    expect(problems.wrongShape.map((p) => p.name)).toEqual(['bn1.bias']);
    expect(problems.nonFinite).toEqual([{ name: 'fc.bias', nan: 0, infinite: 1000 }]);
  });

  it('refuses the other depth as a whole other architecture', () => {
    expectFormatError(
      () => validateTorchvisionTensors(zerosMap('resnet34'), 'resnet18'),
      'wrong-architecture',
      /These are ResNet34 weights, but the model is ResNet18/,
      /unexpected: layer1\.2\.conv1\.weight/,
    );
    expectFormatError(
      () => validateTorchvisionTensors(zerosMap('resnet18'), 'resnet34'),
      'wrong-architecture',
      /These are ResNet18 weights, but the model is ResNet34/,
      /missing: layer1\.2\.conv1\.weight/,
    );
  });

  it('refuses a ResNet50 checkpoint, saying why first', () => {
    expectFormatError(
      () => validateTorchvisionTensors(resnet50StyleMap(), 'resnet18'),
      'wrong-architecture',
      /do not fit torchvision's ResNet18\. Found Bottleneck blocks/,
      /unexpected: .* and \d+ more/,
    );
  });
});

describe('applyTorchvisionWeights (synthetic weights)', () => {
  let model: LayersModel;
  let tensorsBefore: number;
  const source = randomMap('resnet18', 7);

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    model = await buildResNet({ variant: 'resnet18', flavor: 'torchvision', init: 'zeros' });
  });

  afterAll(() => {
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('sets every weight, allocating no new tensors', () => {
    const modelTensors = tf.memory().numTensors;
    applyTorchvisionWeights(model, source, 'resnet18');
    expect(tf.memory().numTensors).toBe(modelTensors);
  });

  it('transposes conv kernels OIHW -> HWIO and the classifier [out, in] -> [in, out]', () => {
    // Checked against tf.transpose, independently of the loader's own index arithmetic.
    const cases: Array<[string, string, number[]]> = [
      ['stem_conv', 'conv1.weight', [2, 3, 1, 0]],
      ['layer2_0_conv1', 'layer2.0.conv1.weight', [2, 3, 1, 0]],
      ['layer3_0_downsample_conv', 'layer3.0.downsample.0.weight', [2, 3, 1, 0]],
      ['fc', 'fc.weight', [1, 0]],
    ];
    for (const [layerName, torchName, permutation] of cases) {
      const entry = source.get(torchName);
      if (!entry) throw new Error(torchName);
      const kernel = model.getLayer(layerName).getWeights()[0];
      if (!kernel) throw new Error(layerName);
      const expected = tf.tidy(() =>
        tf.transpose(tf.tensor(entry.data, entry.shape), permutation).dataSync(),
      );
      expect(kernel.shape, layerName).toEqual(permutation.map((axis) => entry.shape[axis]));
      expect(sameFloats(kernel.dataSync(), expected), layerName).toBe(true);
    }
    const fcBias = model.getLayer('fc').getWeights()[1];
    expect(sameFloats(fcBias?.dataSync(), source.get('fc.bias')?.data)).toBe(true);
  });

  it('fills BatchNorm as gamma, beta, moving mean, moving variance', () => {
    const fields = ['weight', 'bias', 'running_mean', 'running_var'];
    for (const [layerName, module] of [
      ['stem_bn', 'bn1'],
      ['layer2_0_downsample_bn', 'layer2.0.downsample.1'],
      ['layer4_1_bn2', 'layer4.1.bn2'],
    ] as const) {
      const layer = model.getLayer(layerName);
      expect(layer.weights.map((w) => w.originalName.split('/').pop())).toEqual([
        'gamma',
        'beta',
        'moving_mean',
        'moving_variance',
      ]);
      layer.getWeights().forEach((weight, index) => {
        const expected = source.get(`${module}.${fields[index]}`)?.data;
        expect(sameFloats(weight.dataSync(), expected), `${layerName}[${index}]`).toBe(true);
      });
    }
  });

  it('reads back to the same state dict', () => {
    const roundTrip = torchvisionTensorsFromModel(model, 'resnet18');
    expect([...roundTrip.keys()]).toEqual([...source.keys()]);
    for (const [name, entry] of source) {
      const back = roundTrip.get(name);
      expect(back?.shape, name).toEqual(entry.shape);
      expect(sameFloats(back?.data, entry.data), name).toBe(true);
    }
  });

  it('refuses bad weights without touching the model', () => {
    const poisoned = new Map(source);
    const data = new Float32Array(1000);
    data[5] = NaN;
    poisoned.set('fc.bias', { shape: [1000], data, dtype: 'F32' });
    const before = model.getLayer('fc').getWeights()[1]?.dataSync().slice();
    expectFormatError(() => applyTorchvisionWeights(model, poisoned, 'resnet18'), 'non-finite', /fc\.bias/);
    expectFormatError(
      () => applyTorchvisionWeights(model, randomMap('resnet34', 1), 'resnet18'),
      'wrong-architecture',
    );
    expect(sameFloats(model.getLayer('fc').getWeights()[1]?.dataSync(), before)).toBe(true);
  });

  it('refuses a model of the reference flavor or of the other depth', async () => {
    const reference = await buildResNet({ variant: 'resnet18', flavor: 'reference', init: 'zeros' });
    try {
      expectFormatError(
        () => applyTorchvisionWeights(reference, source, 'resnet18'),
        'wrong-architecture',
        /not torchvision's ResNet18 layout/,
        /stem_conv has weights \[kernel, bias\]/,
      );
    } finally {
      reference.dispose();
    }
    expectFormatError(
      () => applyTorchvisionWeights(model, randomMap('resnet34', 2), 'resnet34'),
      'wrong-architecture',
      /not torchvision's ResNet34 layout: no layer layer1_2_conv1/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Against PyTorch: scripts/make_reference.py's weights, photo crop and outputs.

const REFERENCE_DIR = new URL('../../../test-fixtures/reference/', import.meta.url);
const CROP_FILE = 'chelsea-224-rgb.bin';
const VARIANT_IDS: BuildableVariantId[] = ['resnet18', 'resnet34'];
const FORMATS = ['safetensors', 'pth'] as const;
const referenceFiles = [
  CROP_FILE,
  ...VARIANT_IDS.flatMap((v) => [`${v}.reference.json`, ...FORMATS.map((f) => `${v}.${f}`)]),
];
const hasReference = referenceFiles.every((name) => existsSync(new URL(name, REFERENCE_DIR)));

const LOGIT_TOLERANCE = 1e-3;
/** Relative, with absolute floors for values near zero (a mean of ~0 has no meaningful relative error). */
const STAT_RELATIVE = 1e-3;
const STAT_ABSOLUTE = 1e-5;
const SAMPLE_RELATIVE = 1e-3;
const SAMPLE_ABSOLUTE = 1e-4;
const STAGES = ['stem', 'layer1', 'layer2', 'layer3', 'layer4'] as const;

interface Position {
  c: number;
  y: number;
  x: number;
  value: number;
}

interface StageReference {
  shape: [number, number, number, number];
  layout: 'NCHW';
  mean: number;
  std: number;
  channelMeans: number[];
  samples: Position[];
  largest: Position[];
}

interface Reference {
  input: { tensor: StageReference };
  logits: number[];
  top5: { indices: number[] };
  stages: Record<(typeof STAGES)[number], StageReference>;
}

function readBuffer(name: string): ArrayBuffer {
  const bytes = readFileSync(new URL(name, REFERENCE_DIR));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** The crop exactly as the page would feed it: RGB expanded to opaque RGBA, then the shared normalization. */
function referenceInput(): Float32Array {
  const rgb = new Uint8Array(readBuffer(CROP_FILE));
  const rgba = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let i = 0; i < rgb.length / 3; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return rgbaToNormalizedRGB(rgba, IMAGENET_TORCHVISION_PREPROCESS);
}

/**
 * Compares one NHWC activation against PyTorch's NCHW summary. Returns the failures (empty when all is
 * well) and the worst relative error, measured against max(|expected|, floor) so near-zero values count fairly.
 */
function compareStage(
  label: string,
  data: Float32Array,
  shape: number[],
  reference: StageReference,
): { failures: string[]; worst: { relative: number; what: string } } {
  const failures: string[] = [];
  const worst = { relative: 0, what: '' };
  const [, channels, height, width] = reference.shape;
  expect(shape, `${label} shape`).toEqual([1, height, width, channels]);
  const check = (what: string, actual: number, expected: number, relative: number, absolute: number) => {
    const error = Math.abs(actual - expected);
    const relativeError = error / Math.max(Math.abs(expected), absolute);
    if (relativeError > worst.relative) Object.assign(worst, { relative: relativeError, what });
    if (!(error <= Math.max(absolute, relative * Math.abs(expected)))) {
      failures.push(`${label} ${what}: got ${actual}, PyTorch ${expected}`);
    }
  };

  // Float64 sums: 200k float32 activations would lose the digits being compared.
  const channelSums = new Float64Array(channels);
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const value = data[i] as number;
    sum += value;
    const channel = i % channels;
    channelSums[channel] = (channelSums[channel] as number) + value;
  }
  const mean = sum / data.length;
  let squares = 0;
  for (let i = 0; i < data.length; i++) squares += ((data[i] as number) - mean) ** 2;
  // torch.std is the unbiased estimate.
  const std = Math.sqrt(squares / (data.length - 1));
  check('mean', mean, reference.mean, STAT_RELATIVE, STAT_ABSOLUTE);
  check('std', std, reference.std, STAT_RELATIVE, STAT_ABSOLUTE);
  reference.channelMeans.forEach((expected, c) => {
    check(
      `channel ${c} mean ${expected.toPrecision(3)}`,
      (channelSums[c] as number) / (height * width),
      expected,
      STAT_RELATIVE,
      STAT_ABSOLUTE,
    );
  });
  for (const { c, y, x, value } of [...reference.samples, ...reference.largest]) {
    const actual = data[(y * width + x) * channels + c] as number;
    check(`c=${c} y=${y} x=${x} ${value.toPrecision(3)}`, actual, value, SAMPLE_RELATIVE, SAMPLE_ABSOLUTE);
  }
  return { failures, worst };
}

describe.skipIf(!hasReference)(
  'torchvision weights reproduce PyTorch (run scripts/make_reference.py to enable)',
  () => {
    const input = hasReference ? referenceInput() : new Float32Array();

    it('feeds the same normalized input PyTorch saw', () => {
      const reference = JSON.parse(
        new TextDecoder().decode(readBuffer('resnet18.reference.json')),
      ) as Reference;
      const { failures } = compareStage('input', input, [1, 224, 224, 3], reference.input.tensor);
      expect(failures).toEqual([]);
    });

    describe.each(VARIANT_IDS)('%s', (variant) => {
      let model: LayersModel;
      let stageModel: LayersModel;
      let tensorsBefore: number;
      const reference = hasReference
        ? (JSON.parse(new TextDecoder().decode(readBuffer(`${variant}.reference.json`))) as Reference)
        : undefined;

      beforeAll(async () => {
        tensorsBefore = tf.memory().numTensors;
        model = await buildResNet({ variant, flavor: 'torchvision', init: 'zeros' });
        const lastBlocks = VARIANTS[variant].blocksPerStage.map(
          (blocks, stage) => `layer${stage + 1}_${blocks - 1}_out`,
        );
        const stageOutputs = ['stem_pool', ...lastBlocks].map(
          (name) => model.getLayer(name).output as tfl.SymbolicTensor,
        );
        // Shares the model's layers (and so its weights): one forward pass yields stages and logits.
        stageModel = tfl.model({ inputs: model.inputs, outputs: [...stageOutputs, ...model.outputs] });
      });

      afterAll(() => {
        // Only the original: disposing the stage view as well would release the shared layers twice.
        model.dispose();
        expect(tf.memory().numTensors).toBe(tensorsBefore);
      });

      it.each(FORMATS)('.%s: every logit and stage within tolerance of PyTorch', (format) => {
        if (!reference) throw new Error('no reference');
        const buffer = readBuffer(`${variant}.${format}`);
        const tensors = format === 'pth' ? parsePyTorchCheckpoint(buffer) : parseSafetensors(buffer);
        expect(detectArchitecture(tensors)).toEqual({ variant, flavor: 'torchvision' });

        const modelTensors = tf.memory().numTensors;
        applyTorchvisionWeights(model, tensors, variant);
        expect(tf.memory().numTensors, 'tensors after loading').toBe(modelTensors);

        const outputs = tf.tidy(() => {
          const predicted = stageModel.predict(tf.tensor4d(input, [1, 224, 224, 3])) as tf.Tensor[];
          return predicted.map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
        });
        expect(tf.memory().numTensors, 'tensors after inference').toBe(modelTensors);

        const logits = outputs.at(-1);
        if (!logits) throw new Error('no logits');
        expect(logits.shape).toEqual([1, 1000]);
        let worstLogit = 0;
        const logitFailures: string[] = [];
        reference.logits.forEach((expected, index) => {
          const error = Math.abs((logits.data[index] as number) - expected);
          worstLogit = Math.max(worstLogit, error);
          if (!(error <= LOGIT_TOLERANCE))
            logitFailures.push(`logit ${index}: got ${logits.data[index]}, PyTorch ${expected}`);
        });
        expect(logitFailures.slice(0, 10), `${logitFailures.length} logits off`).toEqual([]);
        const top5 = [...logits.data.keys()].sort(
          (a, b) => (logits.data[b] as number) - (logits.data[a] as number),
        );
        expect(top5.slice(0, 5)).toEqual(reference.top5.indices);

        const worstStage: string[] = [];
        STAGES.forEach((stage, index) => {
          const output = outputs[index];
          if (!output) throw new Error(stage);
          const { failures, worst } = compareStage(stage, output.data, output.shape, reference.stages[stage]);
          expect(failures.slice(0, 10), `${failures.length} ${stage} values off`).toEqual([]);
          worstStage.push(`${stage} ${worst.relative.toExponential(1)} (${worst.what})`);
        });
        console.info(
          `${variant}.${format}: max |logit diff| ${worstLogit.toExponential(2)}; ` +
            `worst relative stage diff ${worstStage.join(', ')}`,
        );
      });
    });
  },
);
