/**
 * A taught model as one file to export and import (issue #26): a zip holding the head as a TF.js layers model
 * (model.json and weights.bin), its class names (labels.json) and a manifest naming the backbone and weights it
 * runs on, with the SHA-256 of each file. Reading refuses anything else with a TaughtModelFileError that says why.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';

import type { WeightsOrigin } from '../shared/protocol';
import { concatenatedDense } from '../shared/teach/headWeights';
import type { DenseWeights, HeadWeights } from '../shared/teach/headWeights';
import { labeledSetProblems } from '../shared/teach/labeledSet';
import { isVariantId, NUM_CLASSES, VARIANTS } from '../shared/variants';
import type { VariantId } from '../shared/variants';
import { sha256 } from './weightsCache';

export const TAUGHT_MODEL_FORMAT = 'resnet-lens-taught-model';
export const TAUGHT_MODEL_VERSION = 1;
/** What the export is called: `<name>.taught.zip`. */
export const TAUGHT_MODEL_SUFFIX = '.taught.zip';

/** The model a head was taught on: the variant and the weights, as the page names them. */
export interface TaughtBackbone {
  variant: VariantId;
  origin: WeightsOrigin;
  /** The weights' name (ModelInfo.weights.name): a file, a URL, the bundled package, a seed. */
  weightsName: string;
  /** What the weights are known by where there is one (the bundled package's integrity); null for the others. */
  checksum: string | null;
}

export interface TaughtModelPackage {
  name: string;
  classNames: string[];
  head: HeadWeights;
  backbone: TaughtBackbone;
}

/** `not-zip` and `other-kind`: not a taught model at all; `damaged`: one whose contents do not hold together. */
export type TaughtModelFileProblem = 'not-zip' | 'other-kind' | 'newer' | 'damaged';

export class TaughtModelFileError extends Error {
  constructor(
    readonly problem: TaughtModelFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TaughtModelFileError';
  }
}

/** A head's weights are at most a keep-ImageNet head on ResNet50 (2,048 x 1,000+N floats, 8 MB and a little). */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const ENTRIES = ['manifest.json', 'model.json', 'weights.bin', 'labels.json'] as const;
type Entry = (typeof ENTRIES)[number];

interface Manifest {
  format: typeof TAUGHT_MODEL_FORMAT;
  version: number;
  name: string;
  head: HeadWeights['kind'];
  backbone: TaughtBackbone;
  /** The SHA-256 of every other file in the zip. */
  sha256: Record<Exclude<Entry, 'manifest.json'>, string>;
}

/** The dense layers the head runs, ReLU between them: what model.json describes and weights.bin holds. */
function layersOf(head: HeadWeights): DenseWeights[] {
  if (head.kind === 'hidden') return [head.hidden, head.output];
  if (head.kind === 'keepImageNet') return [concatenatedDense(head.kept, head.output)];
  return [head.output];
}

function modelJson(layers: DenseWeights[]): unknown {
  return {
    format: 'layers-model',
    generatedBy: 'resnet-lens',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: 'taught_head',
        layers: layers.map((layer, i) => ({
          class_name: 'Dense',
          config: {
            name: `dense_${i + 1}`,
            units: layer.outputs,
            activation: i < layers.length - 1 ? 'relu' : 'linear',
            use_bias: true,
            dtype: 'float32',
            trainable: true,
            ...(i === 0 ? { batch_input_shape: [null, layer.inputs] } : {}),
          },
        })),
      },
    },
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: layers.flatMap((layer, i) => [
          { name: `dense_${i + 1}/kernel`, shape: [layer.inputs, layer.outputs], dtype: 'float32' },
          { name: `dense_${i + 1}/bias`, shape: [layer.outputs], dtype: 'float32' },
        ]),
      },
    ],
  };
}

const digest = (bytes: Uint8Array) => sha256(bytes.slice().buffer);

/** The export file's bytes. */
export async function writeTaughtModelFile(pkg: TaughtModelPackage): Promise<Uint8Array> {
  const layers = layersOf(pkg.head);
  const weights = new Float32Array(layers.reduce((n, l) => n + l.kernel.length + l.bias.length, 0));
  let at = 0;
  for (const layer of layers) {
    weights.set(layer.kernel, at);
    weights.set(layer.bias, at + layer.kernel.length);
    at += layer.kernel.length + layer.bias.length;
  }
  const files = {
    'model.json': strToU8(JSON.stringify(modelJson(layers))),
    'weights.bin': new Uint8Array(weights.buffer),
    'labels.json': strToU8(JSON.stringify(pkg.classNames)),
  };
  const manifest: Manifest = {
    format: TAUGHT_MODEL_FORMAT,
    version: TAUGHT_MODEL_VERSION,
    name: pkg.name,
    head: pkg.head.kind,
    backbone: pkg.backbone,
    sha256: {
      'model.json': await digest(files['model.json']),
      'weights.bin': await digest(files['weights.bin']),
      'labels.json': await digest(files['labels.json']),
    },
  };
  return zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest, null, 2)), ...files }, { level: 6 });
}

const damaged = (why: string) =>
  new TaughtModelFileError('damaged', `This taught model's file is damaged (${why}), so it was not loaded.`);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch {
    throw damaged(`${what} is not JSON`);
  }
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

function readBackbone(value: unknown): TaughtBackbone {
  if (!isRecord(value)) throw damaged('no backbone named');
  const { variant, origin, weightsName, checksum } = value;
  const origins: readonly unknown[] = ['random', 'bundled', 'file', 'url', 'cache'];
  if (typeof variant !== 'string' || !isVariantId(variant)) throw damaged('an unknown backbone');
  if (!origins.includes(origin) || typeof weightsName !== 'string') throw damaged('unnamed backbone weights');
  if (checksum !== null && typeof checksum !== 'string')
    throw damaged('a backbone checksum that is not text');
  return { variant, origin: origin as WeightsOrigin, weightsName, checksum };
}

/** The [inputs, outputs] of each dense layer model.json lists, checked against the weights manifest. */
function layerShapes(model: unknown): [number, number][] {
  if (!isRecord(model) || !isRecord(model.modelTopology) || !Array.isArray(model.weightsManifest))
    throw damaged('model.json is not a layers model');
  const config = model.modelTopology.config;
  if (!isRecord(config) || !Array.isArray(config.layers)) throw damaged('model.json has no layers');
  const group: unknown = model.weightsManifest[0];
  const specs: unknown = isRecord(group) ? group.weights : undefined;
  if (model.weightsManifest.length !== 1 || !Array.isArray(specs))
    throw damaged('model.json lists no weights');
  const shapes: [number, number][] = [];
  let inputs: number | null = null;
  config.layers.forEach((layer: unknown, i) => {
    const units = isRecord(layer) && isRecord(layer.config) ? layer.config.units : undefined;
    if (!isRecord(layer) || layer.class_name !== 'Dense' || !isCount(units))
      throw damaged('a layer is not dense');
    const kernel: unknown = specs[2 * i];
    const bias: unknown = specs[2 * i + 1];
    const kernelShape: unknown = isRecord(kernel) ? kernel.shape : undefined;
    const biasShape: unknown = isRecord(bias) ? bias.shape : undefined;
    if (
      !Array.isArray(kernelShape) ||
      kernelShape.length !== 2 ||
      !isCount(kernelShape[0]) ||
      kernelShape[1] !== units ||
      (inputs !== null && kernelShape[0] !== inputs) ||
      !Array.isArray(biasShape) ||
      biasShape.length !== 1 ||
      biasShape[0] !== units ||
      !isRecord(kernel) ||
      kernel.dtype !== 'float32' ||
      !isRecord(bias) ||
      bias.dtype !== 'float32'
    )
      throw damaged('the weights do not fit the layers');
    shapes.push([kernelShape[0], units]);
    inputs = units;
  });
  if (specs.length !== 2 * shapes.length) throw damaged('the weights do not fit the layers');
  return shapes;
}

/** The first `kept` columns of a dense layer, and the rest. */
function splitDense(layer: DenseWeights, kept: number): [DenseWeights, DenseWeights] {
  const added = layer.outputs - kept;
  const keptKernel = new Float32Array(layer.inputs * kept);
  const addedKernel = new Float32Array(layer.inputs * added);
  for (let row = 0; row < layer.inputs; row++) {
    const from = row * layer.outputs;
    keptKernel.set(layer.kernel.subarray(from, from + kept), row * kept);
    addedKernel.set(layer.kernel.subarray(from + kept, from + layer.outputs), row * added);
  }
  return [
    { inputs: layer.inputs, outputs: kept, kernel: keptKernel, bias: layer.bias.slice(0, kept) },
    { inputs: layer.inputs, outputs: added, kernel: addedKernel, bias: layer.bias.slice(kept) },
  ];
}

function headOf(kind: unknown, layers: DenseWeights[], classes: number): HeadWeights {
  const last = layers[layers.length - 1]!;
  if (kind === 'dense' && layers.length === 1 && last.outputs === classes) return { kind, output: last };
  if (kind === 'hidden' && layers.length === 2 && last.outputs === classes)
    return { kind, hidden: layers[0]!, output: last };
  if (kind === 'keepImageNet' && layers.length === 1 && last.outputs === NUM_CLASSES + classes) {
    const [kept, output] = splitDense(last, NUM_CLASSES);
    return { kind, kept, output };
  }
  throw damaged('its head does not fit its classes');
}

function readEntries(bytes: Uint8Array): Partial<Record<Entry, Uint8Array>> {
  // A zip starts with a local file header (or, when empty, the end of the central directory).
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (!zip) throw new TaughtModelFileError('not-zip', 'This is not a taught model: the file is not a zip.');
  try {
    return unzipSync(bytes, {
      filter: (file) =>
        (ENTRIES as readonly string[]).includes(file.name) && file.originalSize <= MAX_ENTRY_BYTES,
    });
  } catch {
    throw damaged('the zip cannot be read');
  }
}

/** The taught model a file holds, or a TaughtModelFileError saying why it holds none. */
export async function readTaughtModelFile(bytes: Uint8Array): Promise<TaughtModelPackage> {
  try {
    return await readChecked(bytes);
  } catch (err) {
    if (err instanceof TaughtModelFileError) throw err;
    // Whatever else a damaged file makes the reader trip over is the same refusal.
    throw damaged(err instanceof Error ? err.message : 'unreadable');
  }
}

async function readChecked(bytes: Uint8Array): Promise<TaughtModelPackage> {
  const entries = readEntries(bytes);
  const manifestBytes = entries['manifest.json'];
  const manifest = manifestBytes ? parseJsonOrNull(manifestBytes) : null;
  if (!isRecord(manifest) || manifest.format !== TAUGHT_MODEL_FORMAT)
    throw new TaughtModelFileError(
      'other-kind',
      'This zip is not a taught model exported from this app (it has no taught model manifest).',
    );
  if (typeof manifest.version !== 'number' || manifest.version > TAUGHT_MODEL_VERSION)
    throw new TaughtModelFileError(
      'newer',
      'This taught model was exported by a newer version of the app: reload the page to update it.',
    );
  if (typeof manifest.name !== 'string' || manifest.name.trim() === '') throw damaged('its name is missing');
  const sums = manifest.sha256;
  if (!isRecord(sums)) throw damaged('no checksums');
  const files = {} as Record<Exclude<Entry, 'manifest.json'>, Uint8Array>;
  for (const entry of ['model.json', 'weights.bin', 'labels.json'] as const) {
    const file = entries[entry];
    if (!file) throw damaged(`${entry} is missing`);
    if (sums[entry] !== (await digest(file))) throw damaged(`${entry} does not match its checksum`);
    files[entry] = file;
  }
  const backbone = readBackbone(manifest.backbone);
  const classNames = parseJson(files['labels.json'], 'labels.json');
  if (!Array.isArray(classNames) || !classNames.every((c): c is string => typeof c === 'string'))
    throw damaged('labels.json is not a list of names');
  if (labeledSetProblems(classNames.map((name) => ({ name, imageCount: 2 }))).length > 0)
    throw damaged('its class names cannot be told apart');

  const shapes = layerShapes(parseJson(files['model.json'], 'model.json'));
  const floats = shapes.reduce((n, [inputs, outputs]) => n + inputs * outputs + outputs, 0);
  if (shapes.length === 0 || files['weights.bin'].length !== floats * 4)
    throw damaged('weights.bin has the wrong size');
  const values = new Float32Array(files['weights.bin'].slice().buffer);
  let at = 0;
  const layers = shapes.map(([inputs, outputs]) => {
    const kernel = values.slice(at, at + inputs * outputs);
    const bias = values.slice(at + inputs * outputs, at + inputs * outputs + outputs);
    at += inputs * outputs + outputs;
    return { inputs, outputs, kernel, bias };
  });
  const features = shapes[0]![0];
  if (features !== pooledFeatureCount(backbone.variant))
    throw damaged(`its head reads ${features} features, not ${VARIANTS[backbone.variant].label}'s`);
  return {
    name: manifest.name,
    classNames,
    head: headOf(manifest.head, layers, classNames.length),
    backbone,
  };
}

/** The last stage's channels, which the head reads: bottleneck blocks widen ResNet50's four times. */
function pooledFeatureCount(variant: VariantId): number {
  return variant === 'resnet50' ? 2048 : 512;
}

function parseJsonOrNull(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch {
    return null;
  }
}
