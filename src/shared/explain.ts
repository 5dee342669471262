/**
 * The explanation methods as the page knows them: their names, what each needs, and the plain results that cross
 * the worker boundary. Pure data (no TF.js), so the store and the UI import it freely.
 */
import type { StageName } from './variants';

export type ExplainMethod = 'cam' | 'gradcam' | 'gradcampp' | 'layercam' | 'scorecam' | 'occlusion' | 'ig';

export interface ExplainMethodSpec {
  id: ExplainMethod;
  label: string;
  /** Where the map comes from: a stage's activation, or the input pixels (occlusion, integrated gradients). */
  source: 'stage' | 'input';
  /** CAM only: defined for the last stage alone (its activation feeds the classifier head directly). */
  lastStageOnly?: boolean;
  /** Many forward passes: shows progress and can be cancelled. */
  slow: boolean;
}

export const EXPLAIN_METHODS: readonly ExplainMethodSpec[] = [
  { id: 'cam', label: 'CAM', source: 'stage', lastStageOnly: true, slow: false },
  { id: 'gradcam', label: 'Grad-CAM', source: 'stage', slow: false },
  { id: 'gradcampp', label: 'Grad-CAM++', source: 'stage', slow: false },
  { id: 'layercam', label: 'LayerCAM', source: 'stage', slow: false },
  { id: 'scorecam', label: 'Score-CAM', source: 'stage', slow: true },
  { id: 'occlusion', label: 'Occlusion', source: 'input', slow: true },
  { id: 'ig', label: 'Integrated gradients', source: 'input', slow: true },
];

export const EXPLAIN_METHOD_IDS: readonly ExplainMethod[] = EXPLAIN_METHODS.map((m) => m.id);

export function isExplainMethod(value: unknown): value is ExplainMethod {
  return typeof value === 'string' && (EXPLAIN_METHOD_IDS as readonly string[]).includes(value);
}

export function explainMethodSpec(method: ExplainMethod): ExplainMethodSpec {
  return EXPLAIN_METHODS.find((m) => m.id === method)!;
}

/** A stage a map can be taken at: every stage but the classifier head. */
export type ExplainableStage = Exclude<StageName, 'fc'>;

/** Where a map was taken: a stage, or `input` for the pixel-level methods. */
export type ExplainStage = ExplainableStage | 'input';

/** Occlusion's square patch (in input pixels) and how far it moves each step. */
export interface OcclusionOptions {
  patch: number;
  stride: number;
}

export const DEFAULT_OCCLUSION: OcclusionOptions = { patch: 32, stride: 16 };
export const INTEGRATED_GRADIENT_STEPS = 32;
/** Deletion and insertion curves: this many steps from the whole image to none of it (and back). */
export const FAITHFULNESS_STEPS = 32;

export interface ExplainRequest {
  method: ExplainMethod;
  /** A stage, or `all` for a layer sweep (one map per stage). Ignored by the input-level methods. */
  stage: ExplainableStage | 'all';
  classIndex: number;
  occlusion?: OcclusionOptions;
}

/** Integrated gradients' completeness: the attributions' sum against score(input) - score(baseline). */
export interface Completeness {
  attributionSum: number;
  scoreDifference: number;
}

export interface ExplainMap {
  method: ExplainMethod;
  stage: ExplainStage;
  classIndex: number;
  /** The map at its own resolution (the stage's, 224x224 for IG, the patch grid for occlusion), row-major. */
  height: number;
  width: number;
  /** Divided by the map's maximum (so the maximum is 1); all zeros stay zeros. */
  values: Float32Array;
  /** The map bilinearly upsampled to the input size, min-max normalized and coloured, ready to lay over it. */
  bitmap: ImageBitmap;
  ms: number;
  completeness?: Completeness;
}

/** Petsiuk et al. 2018: the class probability as the most-attributed pixels are removed (inserted), step by step. */
export interface FaithfulnessCurves {
  method: ExplainMethod;
  stage: ExplainStage;
  classIndex: number;
  /** FAITHFULNESS_STEPS + 1 probabilities, from 0% to 100% of the pixels removed (inserted). */
  deletion: number[];
  insertion: number[];
  /** Areas under the curves, over a [0, 1] x-axis (lower deletion and higher insertion are more faithful). */
  deletionAuc: number;
  insertionAuc: number;
}

/** Adebayo et al. 2018: cascading randomization from the head down. `original` is the trained model's map. */
export type SanityLevel = 'original' | 'fc' | ExplainableStage;

export interface SanityMap {
  level: SanityLevel;
  bitmap: ImageBitmap;
  /** Spearman's rank correlation of this map with the original's (1 for the original). */
  rankCorrelation: number;
}

export interface SanityResult {
  method: ExplainMethod;
  stage: ExplainStage;
  classIndex: number;
  maps: SanityMap[];
}
