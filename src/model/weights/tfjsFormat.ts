/** The app's own export format, a standard TF.js layers model (model.json + one weights file), both ways. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { BUILDABLE_VARIANT_IDS, VARIANTS } from '../../shared/variants';
import type { BuildFlavor, BuildableVariantId } from '../../shared/variants';
import type { ExportedModel } from '../../shared/protocol';
import type { NamedBuffer } from '../../shared/weightsFormat';
import { WeightsFormatError } from './tensorMap';

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

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: { resnetLens?: Partial<ExportMetadata> };
}

const baseName = (path: string) => path.split('/').pop() ?? path;

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
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonFile.data)) as ModelJson;
  } catch {
    throw new WeightsFormatError('bad-header', `${jsonFile.name} is not valid JSON.`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new WeightsFormatError(
      'bad-header',
      `${jsonFile.name} is not a TF.js layers model (no modelTopology/weightsManifest).`,
    );
  }
  const shards: ArrayBuffer[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const missing: string[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      const shard = files.find((f) => f.name === baseName(path));
      if (shard) shards.push(shard.data);
      else missing.push(baseName(path));
    }
    weightSpecs.push(...group.weights);
  }
  if (missing.length > 0) {
    throw new WeightsFormatError(
      'missing-record',
      `${jsonFile.name} needs weight file(s) ${missing.join(', ')}; select them together with the model.json.`,
    );
  }
  const weightData = tf.io.concatenateArrayBuffers(shards);
  const bytesPer = (dtype: string) =>
    dtype === 'float16' ? 2 : dtype === 'bool' || dtype === 'uint8' ? 1 : 4;
  const expectedBytes = weightSpecs.reduce(
    (sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * bytesPer(w.quantization?.dtype ?? w.dtype),
    0,
  );
  if (weightData.byteLength !== expectedBytes) {
    throw new WeightsFormatError(
      'truncated',
      `The weight shards hold ${weightData.byteLength} bytes but ${jsonFile.name} describes ${expectedBytes}.`,
    );
  }
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs, weightData }),
  );
  try {
    return { model, ...identifyResNet(model) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Which of the app's variants and flavors a layers model is, from its layer names. */
export function identifyResNet(model: tfl.LayersModel): { variant: BuildableVariantId; flavor: BuildFlavor } {
  const names = new Set(model.layers.map((l) => l.name));
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
