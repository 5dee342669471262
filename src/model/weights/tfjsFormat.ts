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
  // Refused by its layer names before TF.js builds anything: building allocates what the topology says.
  identifyLayerNames(topologyNames(modelTopology));
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
