/**
 * The explanation methods as the page knows them: one table of their names, hints, stage rule and cost, read by the
 * store, worker, explainer, panel and bench alike; and the plain results that cross the worker boundary. Pure data
 * (no TF.js), so the store and the UI import it freely.
 */
import type { StageName } from './variants';

export type ExplainMethod =
  'cam' | 'gradcam' | 'gradcampp' | 'gradcampp-eps' | 'layercam' | 'scorecam' | 'occlusion' | 'ig';

/** A stage a map can be taken at: every stage but the classifier head. */
export type ExplainableStage = Exclude<StageName, 'fc'>;

/** Where a map was taken: a stage, or `input` for the pixel-level methods. */
export type ExplainStage = ExplainableStage | 'input';

/** The stage Look inside's Explain asks for: a stage, or `all` for a layer sweep (one map per stage). */
export type StageChoice = ExplainableStage | 'all';

/**
 * Which stages a method's map can be taken at:
 * - `any`: any stage, or all of them at once (a layer sweep);
 * - `last`: the model's last stage only (CAM: only there does the activation feed the classifier directly);
 * - `input`: none, the map is over the input pixels; requests name the last stage, which the method ignores.
 */
export type StageRule = 'any' | 'last' | 'input';

/**
 * What a map costs:
 * - `gradient`: a stage's activation and one backward pass from the class score, shared by a whole sweep;
 * - `perturbation-batches`: a forward pass per masked or occluded copy of the input;
 * - `gradient-batches`: a backward pass per step along a path from a baseline to the input.
 * The batched ones are slow: they show progress and can be cancelled between batches.
 */
export type MethodNeeds = 'gradient' | 'perturbation-batches' | 'gradient-batches';

export interface ExplainMethodSpec {
  id: ExplainMethod;
  label: string;
  stages: StageRule;
  needs: MethodNeeds;
  /** What the method does, in a line: enough to choose one, and to know which are slow. */
  hint: string;
}

/** Every method, in the order the page offers them. */
export const EXPLAIN_METHODS: readonly ExplainMethodSpec[] = [
  {
    id: 'cam',
    label: 'CAM',
    stages: 'last',
    needs: 'gradient',
    hint: "The last stage's channels weighted by the classifier's weights for the class (Zhou et al. 2016); last stage only.",
  },
  {
    id: 'gradcam',
    label: 'Grad-CAM',
    stages: 'any',
    needs: 'gradient',
    hint: "A stage's channels weighted by the class score's mean gradient (Selvaraju et al. 2017).",
  },
  {
    id: 'gradcampp',
    label: 'Grad-CAM++',
    stages: 'any',
    needs: 'gradient',
    hint: "Grad-CAM with per-position weights from higher-order gradients (Chattopadhay et al. 2018), in the paper's closed form: the default, since its map does not change with the scale of the gradients.",
  },
  {
    id: 'gradcampp-eps',
    label: 'Grad-CAM++ (pytorch-grad-cam)',
    stages: 'any',
    needs: 'gradient',
    hint: "Grad-CAM++ as pytorch-grad-cam computes it: 1e-6 added to alpha's denominator, which dominates where gradients are small (a seeded model's), so its maps can differ from the paper's; choose it to compare with that library.",
  },
  {
    id: 'layercam',
    label: 'LayerCAM',
    stages: 'any',
    needs: 'gradient',
    hint: 'Each position weighted by its own positive gradient: sharper at early stages (Jiang et al. 2021).',
  },
  {
    id: 'scorecam',
    label: 'Score-CAM',
    stages: 'any',
    needs: 'perturbation-batches',
    hint: 'Each channel weighted by the score of the input masked with it (Wang et al. 2020): one forward pass per channel, slow.',
  },
  {
    id: 'occlusion',
    label: 'Occlusion',
    stages: 'input',
    needs: 'perturbation-batches',
    hint: 'The score lost when a patch hides each part of the input: one forward pass per position, slow.',
  },
  {
    id: 'ig',
    label: 'Integrated gradients',
    stages: 'input',
    needs: 'gradient-batches',
    hint: 'Gradients summed along the path from a black image to the input (Sundararajan et al. 2017): they should add up to the score difference. Slow.',
  },
];

export const EXPLAIN_METHOD_IDS: readonly ExplainMethod[] = EXPLAIN_METHODS.map((m) => m.id);

export function isExplainMethod(value: unknown): value is ExplainMethod {
  return typeof value === 'string' && (EXPLAIN_METHOD_IDS as readonly string[]).includes(value);
}

export function explainMethodSpec(method: ExplainMethod): ExplainMethodSpec {
  return EXPLAIN_METHODS.find((m) => m.id === method)!;
}

/**
 * The stage a request for `method` names, given the user's choice (null: none yet) and the model's stages in
 * order: the choice where the method takes any stage (one the model lacks means the last), else the last.
 * Null for a model without stages.
 */
export function requestStage(
  method: ExplainMethod,
  choice: StageChoice | null,
  stages: readonly ExplainableStage[],
): StageChoice | null {
  const last = stages.at(-1);
  if (!last) return null;
  if (explainMethodSpec(method).stages !== 'any') return last;
  return choice === 'all' || (choice && stages.includes(choice)) ? choice : last;
}

/**
 * The stages a request's maps are computed at, in order: one per stage for a sweep (a method bound to the last
 * stage sweeps that one alone), the last for the input-level methods, else the stage named.
 */
export function computedStages(
  request: { method: ExplainMethod; stage: StageChoice },
  stages: readonly ExplainableStage[],
): ExplainableStage[] {
  const rule = explainMethodSpec(request.method).stages;
  if (rule === 'input' || (rule === 'last' && request.stage === 'all')) return stages.slice(-1);
  return request.stage === 'all' ? [...stages] : [request.stage];
}

/** Where a map of `method` computed at `stage` (or a sweep's) is said to be taken: there, or `input`. */
export function mapStage<S extends StageChoice>(method: ExplainMethod, stage: S): S | 'input' {
  return explainMethodSpec(method).stages === 'input' ? 'input' : stage;
}

/** Whether a request asks for a layer sweep (its maps are shown and exported side by side, one per stage). */
export function isSweep(request: { method: ExplainMethod; stage: StageChoice }): boolean {
  return request.stage === 'all' && explainMethodSpec(request.method).stages !== 'input';
}

/** Every method that applies at `stage` of a model with these stages (CAM only at the last), in table order. */
export function methodsAt(stage: ExplainableStage, stages: readonly ExplainableStage[]): ExplainMethod[] {
  return EXPLAIN_METHODS.filter((m) => m.stages !== 'last' || stage === stages.at(-1)).map((m) => m.id);
}

export const INTEGRATED_GRADIENT_STEPS = 32;
/** Deletion and insertion curves: this many steps from the whole image to none of it (and back). */
export const FAITHFULNESS_STEPS = 32;

export interface ExplainRequest {
  method: ExplainMethod;
  /** Ignored by the input-level methods (see `computedStages`). */
  stage: StageChoice;
  classIndex: number;
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
