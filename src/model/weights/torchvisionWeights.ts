/**
 * Maps a torchvision ResNet18/34 state dict onto the model `buildResNet({ flavor: 'torchvision' })` makes.
 * Pure TypeScript + TF.js (no DOM): runs in the inference worker and in Node tests.
 *
 * The two layouts differ only in memory order: PyTorch stores conv kernels OIHW and the classifier as
 * [out, in]; TF.js wants HWIO and [in, out]. Names map one to one (`layer2.0.downsample.1` ↔
 * `layer2_0_downsample_bn`), so a file either fits completely or is refused before any weight changes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { NUM_CLASSES, STAGE_FILTERS, VARIANTS } from '../../shared/variants';
import { BUILDABLE_VARIANT_IDS } from '../../shared/variants';
import type { BuildableVariantId } from '../../shared/variants';
import { WeightsFormatError, elementCount } from './tensorMap';
import type { TensorEntry, TensorMap, WeightsFormatErrorCode } from './tensorMap';

export interface DetectedArchitecture {
  variant: BuildableVariantId;
  flavor: 'torchvision';
}

/** Everything wrong with a tensor map at once, so one error message can list it all. */
export interface TensorProblems {
  missing: string[];
  unexpected: string[];
  wrongShape: Array<{ name: string; expected: number[]; got: number[]; valueCount: number }>;
  nonFinite: Array<{ name: string; nan: number; infinite: number }>;
}

/** A validation failure that also carries its findings, for callers that want more than the message. */
export class TensorMismatchError extends WeightsFormatError {
  readonly problems: TensorProblems;

  constructor(code: WeightsFormatErrorCode, message: string, problems: TensorProblems) {
    super(code, message);
    this.name = 'TensorMismatchError';
    this.problems = problems;
  }
}

/** Long lists (a ResNet50 file has hundreds of strangers) would bury the message; a few names make the point. */
const MAX_LISTED = 5;

type BindingKind = 'conv' | 'batchNorm' | 'dense';

/** One TF.js layer and the torchvision module whose tensors fill it. */
interface LayerBinding {
  layerName: string;
  module: string;
  kind: BindingKind;
  /** conv: [out, in, k, k] (OIHW); batchNorm: [channels]; dense: [out, in]. */
  torchShape: number[];
}

/**
 * Which torchvision tensor fills which TF.js weight, keyed by the weight's own name (the part after the
 * layer's '/'), so the mapping does not depend on the order TF.js happens to list a layer's weights in.
 */
const TORCH_FIELD: Record<BindingKind, Record<string, string>> = {
  conv: { kernel: 'weight' },
  batchNorm: { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' },
  dense: { kernel: 'weight', bias: 'bias' },
};

function layerBindings(variant: BuildableVariantId): LayerBinding[] {
  const bindings: LayerBinding[] = [];
  const conv = (layerName: string, module: string, out: number, inChannels: number, kernel: number) =>
    bindings.push({ layerName, module, kind: 'conv', torchShape: [out, inChannels, kernel, kernel] });
  const batchNorm = (layerName: string, module: string, channels: number) =>
    bindings.push({ layerName, module, kind: 'batchNorm', torchShape: [channels] });

  conv('stem_conv', 'conv1', 64, 3, 7);
  batchNorm('stem_bn', 'bn1', 64);
  let inChannels = 64;
  VARIANTS[variant].blocksPerStage.forEach((blocks, stage) => {
    const filters = STAGE_FILTERS[stage] as number;
    for (let block = 0; block < blocks; block++) {
      const layer = `layer${stage + 1}_${block}`;
      const module = `layer${stage + 1}.${block}`;
      const blockIn = block === 0 ? inChannels : filters;
      conv(`${layer}_conv1`, `${module}.conv1`, filters, blockIn, 3);
      batchNorm(`${layer}_bn1`, `${module}.bn1`, filters);
      conv(`${layer}_conv2`, `${module}.conv2`, filters, filters, 3);
      batchNorm(`${layer}_bn2`, `${module}.bn2`, filters);
      // Same rule as buildResNet and torchvision: project only where the shape changes.
      if (block === 0 && (stage > 0 || blockIn !== filters)) {
        conv(`${layer}_downsample_conv`, `${module}.downsample.0`, filters, blockIn, 1);
        batchNorm(`${layer}_downsample_bn`, `${module}.downsample.1`, filters);
      }
    }
    inChannels = filters;
  });
  bindings.push({ layerName: 'fc', module: 'fc', kind: 'dense', torchShape: [NUM_CLASSES, inChannels] });
  return bindings;
}

/** PyTorch shape of each torchvision tensor filling `field` of a binding. */
function torchTensorShape(binding: LayerBinding, field: string): number[] {
  if (binding.kind === 'dense' && field === 'bias') return [binding.torchShape[0] as number];
  return binding.torchShape;
}

/** Every tensor a torchvision ResNet state dict holds (without num_batches_tracked), in state-dict order. */
export function expectedTorchvisionTensors(variant: BuildableVariantId): Map<string, number[]> {
  const expected = new Map<string, number[]>();
  for (const binding of layerBindings(variant)) {
    for (const field of Object.values(TORCH_FIELD[binding.kind])) {
      expected.set(`${binding.module}.${field}`, torchTensorShape(binding, field));
    }
  }
  return expected;
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(', ');
  return names.length > MAX_LISTED ? `${shown} and ${names.length - MAX_LISTED} more` : shown;
}

/** A tensor's shape as PyTorch prints it, so a message matches what the user sees in Python. */
function torchShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function variantLabel(variant: BuildableVariantId): string {
  return VARIANTS[variant].label;
}

/**
 * Tells ResNet18 from ResNet34 by how many blocks each stage has (torchvision numbers them
 * `layerN.M.`). Refuses, naming what it found, anything that is not a BasicBlock ResNet of a known depth.
 */
export function detectArchitecture(tensors: TensorMap): DetectedArchitecture {
  const names = [...tensors.keys()];
  const refuse = (message: string): never => {
    throw new WeightsFormatError('wrong-architecture', message);
  };
  if (names.length > 0 && names.every((name) => name.startsWith('module.'))) {
    refuse(
      `Every tensor name starts with 'module.' (${listNames(names)}): the model was saved wrapped in ` +
        `DataParallel; save model.module.state_dict() instead.`,
    );
  }
  const bottleneck = names.find((name) => /^layer\d+\.\d+\.(conv3|bn3)\./.test(name));
  if (bottleneck !== undefined) {
    refuse(
      `Found Bottleneck blocks (${bottleneck}): this is a ResNet50/101/152-style checkpoint, but only ` +
        `ResNet18 and ResNet34 (BasicBlock) are supported.`,
    );
  }

  const blocksPerStage = new Map<number, number>();
  for (const name of names) {
    const match = /^layer(\d+)\.(\d+)\./.exec(name);
    if (!match) continue;
    const stage = Number(match[1]);
    const block = Number(match[2]);
    blocksPerStage.set(stage, Math.max(blocksPerStage.get(stage) ?? 0, block + 1));
  }
  if (blocksPerStage.size === 0) {
    refuse(
      `No ResNet block tensors (layerN.M.*) found; the file holds ${names.length} tensor(s)` +
        (names.length > 0 ? `: ${listNames(names)}.` : '.'),
    );
  }
  const stages = [...blocksPerStage.keys()].sort((a, b) => a - b);
  const counts = stages.map((stage) => blocksPerStage.get(stage) as number);
  const isFourStages = stages.join(',') === '1,2,3,4';
  for (const variant of BUILDABLE_VARIANT_IDS) {
    if (isFourStages && counts.join(',') === VARIANTS[variant].blocksPerStage.join(',')) {
      return { variant, flavor: 'torchvision' };
    }
  }
  const found = stages.map((stage) => `layer${stage}: ${blocksPerStage.get(stage)}`).join(', ');
  const known = BUILDABLE_VARIANT_IDS.map(
    (variant) => `${variantLabel(variant)} has [${VARIANTS[variant].blocksPerStage.join(', ')}]`,
  ).join(', ');
  return refuse(`Found blocks per stage ${found}; torchvision's ${known} in layer1..layer4.`);
}

/** Counts of NaN and ±Inf; a single bad value would silently poison every logit after it. */
function countNonFinite(data: Float32Array): { nan: number; infinite: number } {
  let nan = 0;
  let infinite = 0;
  for (let i = 0; i < data.length; i++) {
    const value = data[i] as number;
    // Cheap test first: almost every value is finite.
    if (value - value === 0) continue;
    if (Number.isNaN(value)) nan++;
    else infinite++;
  }
  return { nan, infinite };
}

function findProblems(tensors: TensorMap, expected: Map<string, number[]>): TensorProblems {
  const problems: TensorProblems = { missing: [], unexpected: [], wrongShape: [], nonFinite: [] };
  for (const [name, shape] of expected) {
    const entry = tensors.get(name);
    if (!entry) {
      problems.missing.push(name);
      continue;
    }
    const valueCount = entry.data.length;
    if (entry.shape.join(',') !== shape.join(',') || valueCount !== elementCount(shape)) {
      problems.wrongShape.push({ name, expected: shape, got: [...entry.shape], valueCount });
      continue;
    }
    const { nan, infinite } = countNonFinite(entry.data);
    if (nan + infinite > 0) problems.nonFinite.push({ name, nan, infinite });
  }
  for (const name of tensors.keys()) {
    if (!expected.has(name)) problems.unexpected.push(name);
  }
  return problems;
}

function describeProblems(problems: TensorProblems): string[] {
  const parts: string[] = [];
  const { missing, unexpected, wrongShape, nonFinite } = problems;
  if (missing.length > 0) parts.push(`${missing.length} missing: ${listNames(missing)}`);
  if (unexpected.length > 0) parts.push(`${unexpected.length} unexpected: ${listNames(unexpected)}`);
  if (wrongShape.length > 0) {
    const described = wrongShape.map(({ name, expected, got, valueCount }) => {
      const holds = valueCount !== elementCount(got) ? ` holding ${valueCount} values` : '';
      return `${name} (expected ${torchShape(expected)}, got ${torchShape(got)}${holds})`;
    });
    parts.push(`${wrongShape.length} with the wrong shape: ${listNames(described)}`);
  }
  if (nonFinite.length > 0) {
    const described = nonFinite.map(({ name, nan, infinite }) => {
      const counts = [nan > 0 ? `${nan} NaN` : '', infinite > 0 ? `${infinite} Inf` : ''];
      return `${name} (${counts.filter(Boolean).join(', ')})`;
    });
    parts.push(`${nonFinite.length} with NaN/Inf values: ${listNames(described)}`);
  }
  return parts;
}

/**
 * Checks that `tensors` is exactly torchvision's `variant` state dict: no tensor missing or extra, every
 * shape right, every value finite. Throws one TensorMismatchError listing all problems.
 */
export function validateTorchvisionTensors(tensors: TensorMap, variant: BuildableVariantId): void {
  const problems = findProblems(tensors, expectedTorchvisionTensors(variant));
  const parts = describeProblems(problems);
  if (parts.length === 0) return;

  let code: WeightsFormatErrorCode;
  let lead = `These weights do not fit torchvision's ${variantLabel(variant)}`;
  if (problems.missing.length > 0 || problems.unexpected.length > 0) {
    // A name mismatch is most often a whole other architecture: say so before the list of names.
    try {
      const detected = detectArchitecture(tensors).variant;
      if (detected !== variant) {
        code = 'wrong-architecture';
        lead = `These are ${variantLabel(detected)} weights, but the model is ${variantLabel(variant)}`;
      } else {
        code = problems.missing.length > 0 ? 'missing-tensor' : 'unexpected-tensor';
      }
    } catch (error) {
      if (!(error instanceof WeightsFormatError)) throw error;
      code = 'wrong-architecture';
      lead = `${lead}. ${error.message.replace(/\.$/, '')}`;
    }
  } else {
    code = problems.wrongShape.length > 0 ? 'shape-mismatch' : 'non-finite';
  }
  throw new TensorMismatchError(code, `${lead}: ${parts.join('; ')}.`, problems);
}

/** OIHW (PyTorch conv) to HWIO (TF.js conv2d kernel). */
function oihwToHwio(data: Float32Array, [out, inChannels, height, width]: number[]): Float32Array {
  const O = out as number;
  const I = inChannels as number;
  const H = height as number;
  const W = width as number;
  const result = new Float32Array(O * I * H * W);
  let source = 0;
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          result[((h * W + w) * I + i) * O + o] = data[source++] as number;
        }
      }
    }
  }
  return result;
}

/** HWIO back to OIHW; `shape` is the HWIO shape. */
function hwioToOihw(data: Float32Array, [height, width, inChannels, out]: number[]): Float32Array {
  const H = height as number;
  const W = width as number;
  const I = inChannels as number;
  const O = out as number;
  const result = new Float32Array(O * I * H * W);
  let source = 0;
  for (let h = 0; h < H; h++) {
    for (let w = 0; w < W; w++) {
      for (let i = 0; i < I; i++) {
        for (let o = 0; o < O; o++) {
          result[((o * I + i) * H + h) * W + w] = data[source++] as number;
        }
      }
    }
  }
  return result;
}

/** Row-major [rows, cols] to [cols, rows]. */
function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) result[c * rows + r] = data[r * cols + c] as number;
  }
  return result;
}

/** The TF.js shape of the weight a torchvision tensor becomes. */
function tfShape(binding: LayerBinding, field: string): number[] {
  const [a, b, k] = binding.torchShape as [number, number, number];
  if (binding.kind === 'conv') return [k, k, b, a];
  if (binding.kind === 'dense') return field === 'bias' ? [a] : [b, a];
  return [a];
}

function toTfLayout(binding: LayerBinding, field: string, entry: TensorEntry): Float32Array {
  if (binding.kind === 'conv') return oihwToHwio(entry.data, entry.shape);
  if (binding.kind === 'dense' && field === 'weight') {
    return transpose2d(entry.data, entry.shape[0] as number, entry.shape[1] as number);
  }
  // A copy, not the parser's view: the CPU backend keeps the array it is given, which would pin the
  // whole file's buffer in memory for as long as the model lives.
  return entry.data.slice();
}

function toTorchLayout(binding: LayerBinding, field: string, data: Float32Array): Float32Array {
  if (binding.kind === 'conv') return hwioToOihw(data, tfShape(binding, field));
  if (binding.kind === 'dense' && field === 'weight') {
    const [out, inChannels] = binding.torchShape as [number, number];
    return transpose2d(data, inChannels, out);
  }
  return data.slice();
}

/** The part of a weight's name after its layer's, e.g. 'gamma' for 'stem_bn/gamma'. */
function weightField(originalName: string): string {
  return originalName.slice(originalName.lastIndexOf('/') + 1);
}

type LayersModelLayer = LayersModel['layers'][number];

/**
 * Pairs each binding with its model layer, refusing a model of another flavor or depth (e.g. the
 * reference design's biased convs and shortcut projections) before a single weight is touched.
 */
function bindModel(model: LayersModel, variant: BuildableVariantId): Array<[LayerBinding, LayersModelLayer]> {
  const layersByName = new Map(model.layers.map((layer) => [layer.name, layer]));
  const bindings = layerBindings(variant);
  const bound: Array<[LayerBinding, LayersModelLayer]> = [];
  const problems: string[] = [];
  for (const binding of bindings) {
    const layer = layersByName.get(binding.layerName);
    if (!layer) {
      problems.push(`no layer ${binding.layerName}`);
      continue;
    }
    const fields = TORCH_FIELD[binding.kind];
    const weights = layer.weights.map((weight) => ({ field: weightField(weight.originalName), weight }));
    const wanted = Object.keys(fields);
    const actual = weights.map(({ field }) => field);
    if (actual.length !== wanted.length || !wanted.every((field) => actual.includes(field))) {
      problems.push(
        `${binding.layerName} has weights [${actual.join(', ')}], expected [${wanted.join(', ')}]`,
      );
      continue;
    }
    for (const { field, weight } of weights) {
      const shape = tfShape(binding, fields[field] as string);
      if (weight.shape.join(',') !== shape.join(',')) {
        problems.push(
          `${weight.originalName} is ${torchShape(weight.shape as number[])}, expected ${torchShape(shape)}`,
        );
      }
    }
    bound.push([binding, layer]);
  }
  const boundNames = new Set(bindings.map((binding) => binding.layerName));
  const strangers = model.layers.filter((layer) => layer.weights.length > 0 && !boundNames.has(layer.name));
  if (strangers.length > 0) {
    problems.push(
      `layers with no torchvision counterpart: ${listNames(strangers.map((layer) => layer.name))}`,
    );
  }
  if (problems.length > 0) {
    throw new WeightsFormatError(
      'wrong-architecture',
      `The model ${model.name} is not torchvision's ${variantLabel(variant)} layout: ${listNames(problems)}.`,
    );
  }
  return bound;
}

/**
 * Loads a torchvision state dict into a model built with `buildResNet({ variant, flavor: 'torchvision' })`.
 * Validates everything first, so on error the model keeps its previous weights. Creates no lasting tensors:
 * each new value replaces a variable's data, and the temporary handles are disposed layer by layer.
 */
export function applyTorchvisionWeights(
  model: LayersModel,
  tensors: TensorMap,
  variant: BuildableVariantId,
): void {
  validateTorchvisionTensors(tensors, variant);
  const bound = bindModel(model, variant);
  for (const [binding, layer] of bound) {
    const fields = TORCH_FIELD[binding.kind];
    // One layer at a time keeps the transient copies to a single layer's worth of memory.
    tf.tidy(() => {
      const values = layer.weights.map((weight) => {
        const field = fields[weightField(weight.originalName)] as string;
        const entry = tensors.get(`${binding.module}.${field}`) as TensorEntry;
        return tf.tensor(toTfLayout(binding, field, entry), tfShape(binding, field), 'float32');
      });
      layer.setWeights(values);
    });
  }
}

/**
 * The inverse of applyTorchvisionWeights: the model's weights as a torchvision state dict (PyTorch
 * layouts and names). For round-trip tests and exporting.
 */
export function torchvisionTensorsFromModel(model: LayersModel, variant: BuildableVariantId): TensorMap {
  const result: TensorMap = new Map();
  for (const [binding, layer] of bindModel(model, variant)) {
    const fields = TORCH_FIELD[binding.kind];
    const byField = new Map(
      layer.weights.map((weight) => [fields[weightField(weight.originalName)], weight]),
    );
    // State-dict order (weight, bias, running_mean, running_var), whatever order TF.js keeps them in.
    for (const field of Object.values(fields)) {
      const weight = byField.get(field);
      if (!weight) continue;
      // read() returns the variable itself, not a copy: nothing to dispose.
      const data = weight.read().dataSync() as Float32Array;
      result.set(`${binding.module}.${field}`, {
        shape: torchTensorShape(binding, field),
        data: toTorchLayout(binding, field, data),
        dtype: 'F32',
      });
    }
  }
  return result;
}
