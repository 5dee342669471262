/** What the page is told about a model's architecture: one row per stage, with totals. */
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
