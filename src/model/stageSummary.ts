/** The per-stage table of a model (output shape, parameters), read off the built or loaded layers model. */
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { STAGE_NAMES } from '../shared/modelSummary';
import type { ModelSummary, StageSummary } from '../shared/modelSummary';
import type { Flavor, StageName, VariantId } from '../shared/variants';

/** Which stage a layer belongs to, by the naming scheme of buildResNet. `avgpool` and `input` have no weights. */
export function stageOfLayer(layerName: string): StageName | null {
  if (layerName.startsWith('stem_')) return 'stem';
  const m = /^layer([1-4])_/.exec(layerName);
  if (m) return `layer${m[1]}` as StageName;
  if (layerName === 'fc') return 'fc';
  return null;
}

function countParams(weights: { shape: readonly (number | null)[] }[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

/** Totals and per-stage rows of a model, grouped by a naming rule. */
export interface StageTable<S extends string> {
  stages: (Omit<StageSummary, 'stage'> & { stage: S })[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

/**
 * Groups a model's layers into stages with `stageOf` and reads each stage's parameters and output off the model
 * (not from a table of constants). Shared by the built ResNet18/34 and the loaded Keras ResNet50.
 */
export function tabulateStages<S extends string>(
  model: LayersModel,
  stageNames: readonly S[],
  stageOf: (layerName: string) => S | null,
): StageTable<S> {
  const stages = new Map(
    stageNames.map((stage) => [
      stage,
      {
        stage,
        outputShape: [] as number[],
        params: 0,
        trainableParams: 0,
        nonTrainableParams: 0,
        outputLayer: '',
      },
    ]),
  );
  for (const layer of model.layers) {
    const stage = stageOf(layer.name);
    if (!stage) continue;
    const s = stages.get(stage)!;
    const trainable = countParams(layer.trainableWeights);
    const nonTrainable = countParams(layer.nonTrainableWeights);
    s.trainableParams += trainable;
    s.nonTrainableParams += nonTrainable;
    s.params += trainable + nonTrainable;
    // Layers are in topological order, so the last layer seen in a stage is its output.
    const shape = layer.outputShape as (number | null)[];
    s.outputShape = shape.slice(1).map((d) => d ?? -1);
    s.outputLayer = layer.name;
  }
  const list = stageNames.map((name) => stages.get(name)!);
  const trainableParams = list.reduce((a, s) => a + s.trainableParams, 0);
  const nonTrainableParams = list.reduce((a, s) => a + s.nonTrainableParams, 0);
  return {
    stages: list,
    totalParams: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
  };
}

/** The model summary of a built ResNet18/34, grouped by stage. */
export function summarizeStages(model: LayersModel, variant: VariantId, flavor: Flavor): ModelSummary {
  return { variant, flavor, ...tabulateStages(model, STAGE_NAMES, stageOfLayer) };
}
