import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { Flavor, StageName, VariantId } from '../shared/variants';

export const STAGE_NAMES: readonly StageName[] = ['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'fc'];

export interface StageSummary {
  stage: StageName;
  /** Output shape without the batch axis, e.g. [56, 56, 64]; [1000] for fc. */
  outputShape: number[];
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** The layer whose output is the stage's output (what the feature-map view shows). */
  outputLayer: string;
}

export interface ModelSummary {
  variant: VariantId;
  flavor: Flavor;
  stages: StageSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

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

export function formatShape(shape: readonly number[]): string {
  return shape.join('x');
}
