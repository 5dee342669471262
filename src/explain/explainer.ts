/**
 * One entry to every method: which map a request asks for, computed over a split network, and the checks built
 * on maps (faithfulness curves and the cascading randomization test).
 */
import * as tf from '@tensorflow/tfjs-core';

import { explainMethodSpec, mapStage } from '../shared/explain';
import type { ExplainMethod, ExplainStage, SanityLevel } from '../shared/explain';
import { upsampleBilinear } from '../model/featureMaps';
import type { ExplainableStage, SplitNetwork } from '../model/splitNetwork';
import type { AttributionMap } from './attributionMap';
import { Cam } from './cam';
import { deletionInsertion } from './faithfulness';
import type { Curves } from './faithfulness';
import { GradCam } from './gradCam';
import { GradCamPlusPlus, GradCamPlusPlusEps } from './gradCamPlusPlus';
import { integratedGradients } from './integratedGradients';
import { LayerCam } from './layerCam';
import { occlusionMap } from './occlusion';
import type { OcclusionOptions } from './occlusion';
import { spearman } from './rankCorrelation';
import { checkpoint } from './runControl';
import type { RunControl } from './runControl';
import { ScoreCam } from './scoreCam';
import type { StageCam } from './stageCam';

export interface ExplainTarget {
  network: SplitNetwork;
  /** The normalized input [1, size, size, 3]. */
  x: tf.Tensor4D;
  /** The normalized black image (integrated gradients' baseline). */
  baseline: tf.Tensor4D;
  classIndex: number;
  control: RunControl;
  occlusion?: OcclusionOptions;
}

const STAGE_CAMS: Partial<Record<ExplainMethod, () => StageCam>> = {
  cam: () => new Cam(),
  gradcam: () => new GradCam(),
  gradcampp: () => new GradCamPlusPlus(),
  'gradcampp-eps': () => new GradCamPlusPlusEps(),
  layercam: () => new LayerCam(),
  scorecam: () => new ScoreCam(),
};

export async function computeMap(
  method: ExplainMethod,
  stage: ExplainStage,
  target: ExplainTarget,
): Promise<AttributionMap> {
  const { network, x, baseline, classIndex, control } = target;
  if (method === 'occlusion')
    return occlusionMap({ network, x, classIndex, control, options: target.occlusion });
  if (method === 'ig') return integratedGradients({ network, x, baseline, classIndex, control });
  const make = STAGE_CAMS[method];
  if (!make || stage === 'input') throw new RangeError(`${method} needs a stage`);
  return make().compute({ network, x, stage, classIndex, control });
}

/**
 * A layer sweep: the map at each of `stages`. The gradient methods share one forward and one backward pass
 * across the stages (StageCam.computeStages); the others run stage by stage, with progress scaled to the whole.
 */
export async function computeSweep(
  method: ExplainMethod,
  stages: readonly ExplainableStage[],
  target: ExplainTarget,
): Promise<AttributionMap[]> {
  const make = STAGE_CAMS[method];
  if (make && explainMethodSpec(method).needs === 'gradient') {
    return make().computeStages({ ...target }, stages);
  }
  const maps: AttributionMap[] = [];
  for (const [i, stage] of stages.entries()) {
    const control: RunControl = {
      ...target.control,
      onProgress: (p) =>
        target.control.onProgress({
          ...p,
          fraction: p.fraction === null ? null : (i + p.fraction) / stages.length,
        }),
    };
    maps.push(await computeMap(method, mapStage(method, stage), { ...target, control }));
  }
  return maps;
}

/** The map at the input's resolution (bilinear, half-pixel centres: PyTorch's align_corners=False). */
export function saliencyAtInput(map: AttributionMap, size: number): Float32Array {
  if (map.height === size && map.width === size) return map.values;
  return upsampleBilinear(map.values, map.height, map.width, size, size);
}

export async function faithfulnessOf(map: AttributionMap, target: ExplainTarget): Promise<Curves> {
  const size = target.x.shape[1];
  return deletionInsertion({ ...target, saliency: saliencyAtInput(map, size) });
}

export interface SanityStep {
  level: SanityLevel;
  map: AttributionMap;
  rankCorrelation: number;
}

/** The randomization cascade: the head first, then each stage from the last down to the stem. */
export function randomizationLevels(network: SplitNetwork): Exclude<SanityLevel, 'original'>[] {
  return ['fc', ...[...network.stages].reverse()];
}

/**
 * Adebayo et al.'s cascading model-parameter randomization: the same method's map as more and more of the network
 * (from the head down) is re-drawn at random, each compared with the original by Spearman's rank correlation.
 */
export async function cascadingRandomization(
  method: ExplainMethod,
  stage: ExplainStage,
  target: ExplainTarget,
  seed: number,
): Promise<SanityStep[]> {
  const original = await computeMap(method, stage, target);
  const steps: SanityStep[] = [{ level: 'original', map: original, rankCorrelation: 1 }];
  const levels = randomizationLevels(target.network);
  for (const [i, level] of levels.entries()) {
    await checkpoint(target.control);
    target.control.onProgress({
      fraction: (i + 1) / (levels.length + 1),
      message: `Sanity check: randomized down to ${level}`,
    });
    const randomized = target.network.randomizedFrom(level, seed);
    try {
      // Quiet inside: the steps report their own progress.
      const control = { ...target.control, onProgress: () => undefined };
      const map = await computeMap(method, stage, { ...target, network: randomized, control });
      steps.push({ level, map, rankCorrelation: spearman(original.values, map.values) });
    } finally {
      randomized.dispose();
    }
  }
  return steps;
}
