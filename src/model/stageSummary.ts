import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { Flavor, StageName, VariantId } from './variants';

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

/** The model summary, grouped by stage, read off the built model (not from a table of constants). */
export function summarizeStages(model: LayersModel, variant: VariantId, flavor: Flavor): ModelSummary {
  const stages = new Map<StageName, StageSummary>();
  for (const stage of STAGE_NAMES) {
    stages.set(stage, {
      stage,
      outputShape: [],
      params: 0,
      trainableParams: 0,
      nonTrainableParams: 0,
      outputLayer: '',
    });
  }
  for (const layer of model.layers) {
    const stage = stageOfLayer(layer.name);
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
  const list = STAGE_NAMES.map((name) => stages.get(name)!);
  const trainableParams = list.reduce((a, s) => a + s.trainableParams, 0);
  const nonTrainableParams = list.reduce((a, s) => a + s.nonTrainableParams, 0);
  return {
    variant,
    flavor,
    stages: list,
    totalParams: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
  };
}

export function formatShape(shape: readonly number[]): string {
  return shape.join('x');
}
