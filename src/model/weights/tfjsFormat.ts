/** The app's own export format, a standard TF.js layers model (model.json + one weights file), both ways. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { BUILDABLE_VARIANT_IDS, VARIANTS } from '../../shared/variants';
import type { BuildFlavor, BuildableVariantId } from '../../shared/variants';
import type { ExportedModel } from '../../shared/protocol';
import type { NamedBuffer } from '../../shared/weightsFormat';
import { WeightsFormatError, elementCount, isValidShape } from './tensorMap';

export interface ExportMetadata {
  variant: BuildableVariantId;
  flavor: BuildFlavor;
  weightsName: string;
}

function concatWeightData(data: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

export async function exportLayersModel(
  model: tfl.LayersModel,
  meta: ExportMetadata,
): Promise<ExportedModel> {
  const base = `${meta.variant}-${meta.flavor}`;
  const binName = `${base}.weights.bin`;
  let exported: ExportedModel | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsBin = concatWeightData(artifacts.weightData ?? new ArrayBuffer(0));
      const modelJson = JSON.stringify({
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [binName], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: { resnetLens: meta },
      });
      exported = { modelJson, weightsBin, jsonName: `${base}.json`, binName };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!exported) throw new Error('The model could not be serialized.');
  return exported;
}

interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

const baseName = (path: string) => path.split('/').pop() ?? path;

/** Bytes per element as stored: quantized weights by their storage dtype; 'string' and 'complex64' are refused. */
const STORED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };
const QUANTIZED_BYTES: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * model.json is untrusted: every field this code or TF.js reads before the model exists is checked here, so a
 * malformed one is a WeightsFormatError and not a TypeError from deep inside.
 */
function readModelJson(
  json: unknown,
  jsonName: string,
): { modelTopology: object; manifest: ManifestGroup[]; weightSpecs: tf.io.WeightsManifestEntry[] } {
  const bad = (what: string) => new WeightsFormatError('bad-header', `${jsonName} ${what}.`);
  if (!isRecord(json) || !isRecord(json.modelTopology) || !Array.isArray(json.weightsManifest)) {
    throw bad('is not a TF.js layers model (no modelTopology/weightsManifest)');
  }
  const manifest: ManifestGroup[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const seenPaths = new Set<string>();
  for (const group of json.weightsManifest as unknown[]) {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw bad('has a weightsManifest entry without paths and weights lists');
    }
    for (const path of group.paths as unknown[]) {
      if (typeof path !== 'string') throw bad('names a weight file by something other than a string');
      // One shard listed twice would be concatenated twice: memory the files do not hold.
      if (seenPaths.has(baseName(path))) throw bad(`names weight file ${baseName(path)} twice`);
      seenPaths.add(baseName(path));
    }
    for (const spec of group.weights as unknown[]) {
      if (!isRecord(spec) || typeof spec.name !== 'string' || !isValidShape(spec.shape)) {
        throw bad('has a weight without a name or with an invalid shape');
      }
      const quantization = spec.quantization;
      if (typeof spec.dtype !== 'string' || STORED_BYTES[spec.dtype] === undefined) {
        throw bad(
          `has weight ${spec.name} of unsupported dtype ${typeof spec.dtype === 'string' ? spec.dtype.slice(0, 20) : typeof spec.dtype}`,
        );
      }
      if (
        quantization !== undefined &&
        (!isRecord(quantization) ||
          typeof quantization.dtype !== 'string' ||
          QUANTIZED_BYTES[quantization.dtype] === undefined)
      ) {
        throw bad(`has weight ${spec.name} with an unsupported quantization`);
      }
      weightSpecs.push(spec as unknown as tf.io.WeightsManifestEntry);
    }
    manifest.push(group as unknown as ManifestGroup);
  }
  return { modelTopology: json.modelTopology, manifest, weightSpecs };
}

function storedBytes(spec: tf.io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype;
  const perElement = dtype !== undefined ? QUANTIZED_BYTES[dtype]! : STORED_BYTES[spec.dtype]!;
  return elementCount(spec.shape) * perElement;
}

/** Reads a TF.js layers model from a model.json and the shard files it names. */
export async function loadLayersModelFromFiles(
  files: readonly NamedBuffer[],
): Promise<{ model: tfl.LayersModel; variant: BuildableVariantId; flavor: BuildFlavor }> {
  const jsonFile = files.find((f) => /\.json$/i.test(f.name));
  if (!jsonFile)
    throw new WeightsFormatError(
      'missing-record',
      'A TF.js model needs its model.json as well as its weight shards.',
    );
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonFile.data));
  } catch {
    throw new WeightsFormatError('bad-header', `${jsonFile.name} is not valid JSON.`);
  }
  const { modelTopology, manifest, weightSpecs } = readModelJson(json, jsonFile.name);
  const shards: ArrayBuffer[] = [];
  const missing: string[] = [];
  for (const group of manifest) {
    for (const path of group.paths) {
      const shard = files.find((f) => f.name === baseName(path));
      if (shard) shards.push(shard.data);
      else missing.push(baseName(path));
    }
  }
  if (missing.length > 0) {
    throw new WeightsFormatError(
      'missing-record',
      `${jsonFile.name} needs weight file(s) ${missing.join(', ')}; select them together with the model.json.`,
    );
  }
  const shardBytes = shards.reduce((sum, shard) => sum + shard.byteLength, 0);
  const expectedBytes = weightSpecs.reduce((sum, spec) => sum + storedBytes(spec), 0);
  if (shardBytes !== expectedBytes) {
    throw new WeightsFormatError(
      'truncated',
      `The weight shards hold ${shardBytes} bytes but ${jsonFile.name} describes ${expectedBytes}.`,
    );
  }
  // Refused by its layer names, then by its layer sizes, before TF.js builds anything: building allocates
  // whatever the topology says, and only then does TF.js compare it with the weights.
  identifyLayerNames(topologyNames(modelTopology));
  checkLayerSizes(modelTopology, weightSpecs, jsonFile.name);
  const weightData = tf.io.concatenateArrayBuffers(shards);
  const model = await buildLayersModel(jsonFile.name, modelTopology, weightSpecs, weightData);
  try {
    return { model, ...identifyResNet(model) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/**
 * TF.js builds the model (allocating its variables) and decodes the weights before loading them into it, and
 * disposes none of that when loading fails. The variables created meanwhile and the tensors of a scope around
 * the call are cleaned up here; the worker runs one job at a time, so nothing else makes tensors meanwhile.
 * Whatever TF.js throws on a bad file becomes a WeightsFormatError.
 */
async function buildLayersModel(
  jsonName: string,
  modelTopology: object,
  weightSpecs: tf.io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
): Promise<tfl.LayersModel> {
  const engine = tf.engine();
  const variablesBefore = new Set(Object.keys(engine.state.registeredVariables));
  engine.startScope();
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
  } catch (cause) {
    engine.endScope(); // disposes the decoded weights
    for (const [name, variable] of Object.entries(engine.state.registeredVariables)) {
      if (!variablesBefore.has(name)) variable.dispose();
    }
    const message = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : typeof cause;
    throw new WeightsFormatError(
      'bad-header',
      `${jsonName} describes a model TF.js cannot build: ${message.slice(0, 300)}`,
    );
  }
  // On success every tensor still alive is the model's: hand them on to the caller's scope undisposed.
  engine.endScope(engine.state.activeScope.track.filter((tensor) => !tensor.isDisposed));
  return model;
}

/** The layer classes of this app's exports; those without weights pass their channel count through. */
const WEIGHTLESS_LAYERS = new Set([
  'InputLayer',
  'ZeroPadding2D',
  'ReLU',
  'MaxPooling2D',
  'Add',
  'GlobalAveragePooling2D',
]);

/**
 * Follows the channel count through the topology and checks that every weight a layer would create is the
 * weight the manifest lists, shape for shape. The manifest's sizes were checked against the shard bytes, so
 * TF.js then allocates no more than the files hold. Any layer class an export of this app never contains is
 * refused: its weights could not be checked.
 */
function checkLayerSizes(
  topology: object,
  specs: readonly tf.io.WeightsManifestEntry[],
  jsonName: string,
): void {
  const shapes = new Map(specs.map((spec) => [spec.name, spec.shape]));
  const expectShape = (weight: string, expected: number[]) => {
    const shape = shapes.get(weight);
    if (!shape || shape.length !== expected.length || shape.some((dim, i) => dim !== expected[i])) {
      refuse(
        jsonName,
        `has a layer whose weight ${weight} would be ${JSON.stringify(expected)}, but the manifest says ${shape ? JSON.stringify(shape) : 'nothing'}`,
      );
    }
  };
  const positive = (value: unknown): number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value > 0
      ? value
      : refuse(jsonName, 'has a layer size that is not a positive integer');
  const root = isRecord(topology) && isRecord(topology.model_config) ? topology.model_config : topology;
  const layers = isRecord(root) && isRecord(root.config) ? root.config.layers : undefined;
  if (!Array.isArray(layers)) refuse(jsonName, 'has no list of layers');
  const modelClass = isRecord(root) ? root.class_name : undefined;
  if (modelClass !== 'Sequential' && modelClass !== 'Model' && modelClass !== 'Functional')
    refuse(jsonName, 'is neither a Sequential nor a functional model');
  const sequential = modelClass === 'Sequential';
  const channels = new Map<string, number>();
  let previous: number | undefined;
  for (const layer of layers as unknown[]) {
    if (!isRecord(layer) || !isRecord(layer.config) || typeof layer.class_name !== 'string')
      refuse(jsonName, 'has a malformed layer');
    const { class_name: className, config } = layer as {
      class_name: string;
      config: Record<string, unknown>;
    };
    const name =
      typeof config.name === 'string'
        ? config.name
        : typeof layer.name === 'string'
          ? layer.name
          : refuse(jsonName, 'has a layer without a name');
    checkNestedObjects(config, name, jsonName);
    // Channels last throughout, as the app exports: channels_first would move the channel axis under the checks.
    if (config.data_format !== undefined && config.data_format !== 'channels_last')
      refuse(jsonName, `has layer ${name} in a data format other than channels_last`);
    const batchInputShape = config.batch_input_shape;
    const lastOf = (shape: unknown) =>
      Array.isArray(shape)
        ? positive(shape[shape.length - 1])
        : refuse(jsonName, `has layer ${name} with no input shape`);
    let input: number | undefined;
    if (className === 'InputLayer') input = lastOf(batchInputShape);
    else if (sequential) input = previous ?? lastOf(batchInputShape);
    else {
      const inbound = Array.isArray(layer.inbound_nodes) ? (layer.inbound_nodes as unknown[]).flat() : [];
      for (const node of inbound) {
        const source = Array.isArray(node) && typeof node[0] === 'string' ? node[0] : undefined;
        const from = source === undefined ? undefined : channels.get(source);
        if (from === undefined)
          refuse(jsonName, `has layer ${name} fed by a layer that does not come before it`);
        if (input !== undefined && input !== from)
          refuse(jsonName, `adds tensors of ${input} and ${from} channels in layer ${name}`);
        input = from;
      }
      if (input === undefined) refuse(jsonName, `has layer ${name} with no input`);
    }
    let output = input;
    if (className === 'Conv2D') {
      const kernel = config.kernel_size;
      if (!Array.isArray(kernel) || kernel.length !== 2)
        refuse(jsonName, `has an unsupported Conv2D ${name}`);
      output = positive(config.filters);
      expectShape(`${name}/kernel`, [positive(kernel[0]), positive(kernel[1]), input!, output]);
      if (config.use_bias !== false) expectShape(`${name}/bias`, [output]);
    } else if (className === 'Dense') {
      output = positive(config.units);
      expectShape(`${name}/kernel`, [input!, output]);
      if (config.use_bias !== false) expectShape(`${name}/bias`, [output]);
    } else if (className === 'BatchNormalization') {
      if (
        config.axis !== -1 &&
        config.axis !== 3 &&
        !(
          Array.isArray(config.axis) &&
          config.axis.length === 1 &&
          (config.axis[0] === -1 || config.axis[0] === 3)
        )
      )
        refuse(jsonName, `has an unsupported BatchNormalization ${name}`);
      expectShape(`${name}/moving_mean`, [input!]);
      expectShape(`${name}/moving_variance`, [input!]);
    } else if (!WEIGHTLESS_LAYERS.has(className)) {
      refuse(
        jsonName,
        `has a layer of class ${className.slice(0, 40)}, which this app's exports never contain`,
      );
    }
    channels.set(name, output!);
    previous = output;
  }
}

/** Initializers: with weights to load, TF.js builds with zeros instead, so these are only ever named. */
const INITIALIZERS = new Set([
  'Zeros',
  'Ones',
  'Constant',
  'RandomNormal',
  'RandomUniform',
  'TruncatedNormal',
  'VarianceScaling',
  'GlorotNormal',
  'GlorotUniform',
  'HeNormal',
  'HeUniform',
  'LeCunNormal',
  'LeCunUniform',
]);

/**
 * TF.js deserializes a layer's initializers, constraints, regularizers and activation as objects of any
 * registered class: a "constraint" that is a Dense layer of 2^30 units gets built when the weights are set.
 * The app's exports have no constraints or regularizers, name their activation, and use plain initializers.
 */
function checkNestedObjects(config: Record<string, unknown>, layer: string, jsonName: string): void {
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    const refused = () => refuse(jsonName, `has layer ${layer} with an unsupported ${key}`);
    if (key.endsWith('_constraint') || key.endsWith('_regularizer')) refused();
    else if (key === 'activation') {
      if (typeof value !== 'string') refused();
    } else if (key.endsWith('_initializer')) {
      const settings = isRecord(value) ? value.config : undefined;
      if (
        !isRecord(value) ||
        typeof value.class_name !== 'string' ||
        !INITIALIZERS.has(value.class_name) ||
        (settings !== undefined && !isRecord(settings)) ||
        Object.values(settings ?? {}).some((item) => typeof item === 'object' && item !== null)
      )
        refused();
    } else if (isRecord(value)) refused(); // every other field is a number, string or list of numbers
  }
}

function refuse(jsonName: string, what: string): never {
  throw new WeightsFormatError('bad-header', `${jsonName} ${what}.`);
}

/** Every string under a "name" key of the topology: its layers' names, wherever the format nests them. */
function topologyNames(topology: object): Set<string> {
  const names = new Set<string>();
  const pending: unknown[] = [topology];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (Array.isArray(value))
      for (const item of value) pending.push(item); // no spread: arrays may be huge
    else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key === 'name' && typeof item === 'string') names.add(item);
        else if (typeof item === 'object' && item !== null) pending.push(item);
      }
    }
  }
  return names;
}

/** Which of the app's variants and flavors a layers model is, from its layer names. */
export function identifyResNet(model: tfl.LayersModel): { variant: BuildableVariantId; flavor: BuildFlavor } {
  return identifyLayerNames(new Set(model.layers.map((l) => l.name)));
}

function identifyLayerNames(names: ReadonlySet<string>): {
  variant: BuildableVariantId;
  flavor: BuildFlavor;
} {
  const blocks = [1, 2, 3, 4].map((stage) => {
    let n = 0;
    while (names.has(`layer${stage}_${n}_out`)) n++;
    return n;
  });
  const variant = BUILDABLE_VARIANT_IDS.find((id) =>
    VARIANTS[id].blocksPerStage.every((b, i) => b === blocks[i]),
  );
  if (!variant || !names.has('stem_conv') || !names.has('fc')) {
    throw new WeightsFormatError(
      'not-a-checkpoint',
      `This TF.js model is not a ResNet18/34 exported by this app (blocks per stage: ${blocks.join(', ')}).`,
    );
  }
  const flavor: BuildFlavor = names.has('layer1_0_shortcut') ? 'reference' : 'torchvision';
  return { variant, flavor };
}
