/**
 * Explanations of an inspected image, in the worker: builds the input tensors once per request, runs the explain
 * room's methods and draws their maps. Cancelling is the caller's, through the run control.
 */
import * as tf from '@tensorflow/tfjs-core';

import { dividedByMax } from '../explain/attributionMap';
import { cascadingRandomization, computeMap, computeSweep, faithfulnessOf } from '../explain/explainer';
import type { ExplainTarget } from '../explain/explainer';
import type { RunControl } from '../explain/runControl';
import type { ExplainableStage } from '../model/splitNetwork';
import { computedStages, explainMethodSpec, mapStage } from '../shared/explain';
import type { ExplainMap, ExplainRequest, FaithfulnessCurves, SanityResult } from '../shared/explain';
import type { FaithfulnessRequest, SanityRequest } from '../shared/protocol';
import { drawAttribution } from './drawInspection';
import type { Inspection } from './inspection';

/** The randomization test's seed: fixed, so the same image and model give the same strip every time. */
const SANITY_SEED = 20180926;

/** One map, or one per stage for a sweep, drawn for the page. */
export async function explain(
  inspection: Inspection,
  request: ExplainRequest,
  control: RunControl,
): Promise<ExplainMap[]> {
  return withTarget(inspection, request.classIndex, control, async (target) => {
    const size = target.x.shape[1];
    const stages: ExplainableStage[] = computedStages(request, target.network.stages);
    const maps: ExplainMap[] = [];
    try {
      const started = performance.now();
      const computed = await computeSweep(request.method, stages, target);
      // A sweep's maps come from shared passes: each is charged an equal share of the time.
      const ms = (performance.now() - started) / computed.length;
      for (const [i, map] of computed.entries()) {
        maps.push({
          method: request.method,
          stage: mapStage(request.method, stages[i]!),
          classIndex: request.classIndex,
          height: map.height,
          width: map.width,
          values: dividedByMax(map.values),
          bitmap: drawAttribution(map, size),
          ms,
          ...(map.completeness ? { completeness: map.completeness } : {}),
        });
      }
      return maps;
    } catch (err) {
      maps.forEach((m) => m.bitmap.close());
      throw err;
    }
  });
}

/** Deletion and insertion curves of each method's map. */
export async function faithfulness(
  inspection: Inspection,
  request: FaithfulnessRequest,
  control: RunControl,
): Promise<FaithfulnessCurves[]> {
  return withTarget(inspection, request.classIndex, control, async (target) => {
    const results: FaithfulnessCurves[] = [];
    const count = request.methods.length;
    for (const [i, method] of request.methods.entries()) {
      const where = mapStage(method, request.stage);
      const label = explainMethodSpec(method).label;
      const part = (j: number, share: number): RunControl => ({
        ...control,
        onProgress: (p) =>
          control.onProgress({
            message: `${label}: ${p.message}`,
            fraction: p.fraction === null ? null : (i + (j + p.fraction) * share) / count,
          }),
      });
      const map = await computeMap(method, where, { ...target, control: part(0, 0.5) });
      const curves = await faithfulnessOf(map, { ...target, control: part(1, 0.5) });
      results.push({ method, stage: where, classIndex: request.classIndex, ...curves });
    }
    return results;
  });
}

/** The cascading model-parameter randomization test, its maps drawn for the page. */
export async function sanityCheck(
  inspection: Inspection,
  request: SanityRequest,
  control: RunControl,
): Promise<SanityResult> {
  return withTarget(inspection, request.classIndex, control, async (target) => {
    const size = target.x.shape[1];
    const where = mapStage(request.method, request.stage);
    const steps = await cascadingRandomization(request.method, where, target, SANITY_SEED);
    return {
      method: request.method,
      stage: where,
      classIndex: request.classIndex,
      maps: steps.map((s) => ({
        level: s.level,
        rankCorrelation: s.rankCorrelation,
        bitmap: drawAttribution(s.map, size),
      })),
    };
  });
}

/** The normalized inspected crop and black baseline for one request, freed when it ends however it ends. */
async function withTarget<T>(
  inspection: Inspection,
  classIndex: number,
  control: RunControl,
  run: (target: ExplainTarget) => Promise<T>,
): Promise<T> {
  const { classifier, crop } = inspection;
  const size = classifier.preprocess.cropSize;
  const [x, baseline] = tf.tidy(() => {
    const rgba = tf.tensor4d(
      new Uint8Array(crop.buffer, crop.byteOffset, crop.length),
      [1, size, size, 4],
      'int32',
    );
    // Black, opaque: zero before normalization.
    const black = tf.concat(
      [tf.zeros([1, size, size, 3], 'int32'), tf.fill([1, size, size, 1], 255, 'int32')],
      3,
    );
    return [classifier.normalize(rgba), classifier.normalize(black as tf.Tensor4D)];
  });
  try {
    return await run({
      network: classifier.network(),
      x: x!,
      baseline: baseline!,
      classIndex,
      control,
    });
  } finally {
    x!.dispose();
    baseline!.dispose();
  }
}
