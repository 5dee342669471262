/**
 * The feature visualization panel's state (issue #27): what it maximizes, its steps and seed, the run under way
 * with its live picture and progress, how the last one ended, and the step times its estimates come from. The
 * job itself is runFeatureVis's (src/client/featureVisRun.ts).
 */
import { LatestJob } from '../client/latest';
import { StepTimes, remainingMs, runDatasetExamples, runFeatureVis } from '../client/featureVisRun';
import { isJobCancelled } from '../shared/jobs';
import type { Progress } from '../shared/progress';
import type { FeatureVisPicture, FeatureVisTarget, ModelHandle, UnitCell } from '../shared/protocol';
import { saveToDisk } from './saveToDisk';
import type { AppState, SliceCreator } from './types';

/** Enough steps for a picture with structure, few enough for a ResNet18 channel in about 30 s without a GPU. */
export const DEFAULT_FEATVIS_STEPS = 64;
export const DEFAULT_FEATVIS_SEED = 1;
/** The picture's sides offered: a smaller picture's step is cheaper, and 128 px already shows the patterns. */
export const FEATVIS_SIZES = [96, 128, 160, 224] as const;
export const DEFAULT_FEATVIS_SIZE = 128;

export type FeatVisStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** One of the top dataset examples as the panel shows it: the page's image, its value and its crop. */
export interface ShownExample {
  imageId: string;
  fileName: string;
  value: number;
  cell: UnitCell | null;
  crop: FeatureVisPicture;
}

/** A finished ranking of the page's images by one unit. */
export interface DatasetExamples {
  handle: ModelHandle;
  target: FeatureVisTarget;
  /** The highest first, at most DATASET_EXAMPLES_SHOWN. */
  shown: ShownExample[];
  /** How many images were ranked, and how many could not be read. */
  ranked: number;
  skipped: number;
  totalMs: number;
}

/** A finished run, as the panel reports it and the JSON export writes it. */
export interface FeatVisOutcome {
  handle: ModelHandle;
  target: FeatureVisTarget;
  steps: number;
  seed: number;
  size: number;
  /** The objective's value for the final picture, untransformed. */
  value: number;
  totalMs: number;
  stepMs: number;
}

export interface FeatureVisSlice {
  featVisOpen: boolean;
  featVisTarget: FeatureVisTarget | null;
  featVisSteps: number;
  featVisSeed: number;
  /** The picture's side in pixels. */
  featVisSize: number;
  featVisStatus: FeatVisStatus;
  featVisProgress: Progress | null;
  /** The picture shown: the run's latest while it runs, its final one after. */
  featVisPicture: FeatureVisPicture | null;
  /** The steps behind the picture shown. */
  featVisPictureStep: number;
  /** The time the run under way has left at its pace so far (null before its first step ends). */
  featVisRemainingMs: number | null;
  featVisOutcome: FeatVisOutcome | null;
  featVisError: string | null;
  /** Median step times of the runs that finished: where the estimate before a run comes from. */
  featVisStepTimes: StepTimes;
  /** The page's images ranked by the target (dataset examples): the job under way, and the last one's answer. */
  featVisExamplesStatus: FeatVisStatus;
  featVisExamplesProgress: Progress | null;
  featVisExamples: DatasetExamples | null;
  featVisExamplesError: string | null;
  /** Opens the panel, on `target` if given (else on the one chosen before, or the inspected image's top class). */
  openFeatVis: (target?: FeatureVisTarget) => void;
  closeFeatVis: () => void;
  setFeatVisTarget: (target: FeatureVisTarget) => void;
  setFeatVisSteps: (steps: number) => void;
  setFeatVisSeed: (seed: number) => void;
  setFeatVisSize: (size: number) => void;
  runFeatVis: () => Promise<void>;
  cancelFeatVis: () => void;
  /** Drops the run and its picture (the model they belong to is gone); the settings stay. */
  resetFeatVis: () => void;
  exportFeatVisJson: () => void;
  /** Ranks the page's classified images by the target; their top ones become the dataset examples. */
  findDatasetExamples: () => Promise<void>;
  cancelDatasetExamples: () => void;
}

/**
 * How the page names a target, in `data-target` and in file names: `class:22`, a stage's channel `layer4:17` or a
 * block's `conv5_block3:1001`.
 */
export function featureVisTargetName(target: FeatureVisTarget): string {
  if (target.kind === 'class') return `class:${target.classIndex}`;
  return `${target.kind === 'block' ? target.block : target.stage}:${target.channel}`;
}

/** The file name of the last run's exports, without the extension: model, target, steps and seed. */
export function featVisFileName(state: Pick<AppState, 'featVisOutcome' | 'summary'>): string {
  const o = state.featVisOutcome;
  if (!o) return 'feature-visualization';
  const target = featureVisTargetName(o.target).replace(':', '-');
  return `${state.summary?.variant ?? 'model'}-featvis-${target}-${o.size}px-${o.steps}steps-seed${o.seed}`;
}

/** No run: nothing in progress, no picture, no outcome. */
const NO_RUN = {
  featVisProgress: null,
  featVisPicture: null,
  featVisPictureStep: 0,
  featVisRemainingMs: null,
  featVisOutcome: null,
  featVisError: null,
} as const;

/** No dataset examples: none under way, none found. */
const NO_EXAMPLES = {
  featVisExamplesStatus: 'idle',
  featVisExamplesProgress: null,
  featVisExamples: null,
  featVisExamplesError: null,
} as const;

export const createFeatureVisSlice: SliceCreator<FeatureVisSlice> = (set, get, _store, context) => {
  const runs = new LatestJob();
  const stopRun = () => runs.stop();
  const rankings = new LatestJob();

  /** What a run starts on when none was chosen: the class the inspected image is taken for. */
  function defaultTarget(): FeatureVisTarget | null {
    const top = get().inspection?.predictions[0]?.classIndex;
    return top === undefined ? null : { kind: 'class', classIndex: top };
  }

  return {
    featVisOpen: false,
    featVisTarget: null,
    featVisSteps: DEFAULT_FEATVIS_STEPS,
    featVisSeed: DEFAULT_FEATVIS_SEED,
    featVisSize: DEFAULT_FEATVIS_SIZE,
    featVisStatus: 'idle',
    ...NO_RUN,
    featVisStepTimes: new StepTimes(),
    ...NO_EXAMPLES,

    openFeatVis: (target) => {
      const featVisTarget = target ?? get().featVisTarget ?? defaultTarget();
      if (target) get().setFeatVisTarget(target);
      set({ featVisOpen: true, featVisTarget });
    },

    closeFeatVis: () => {
      get().cancelFeatVis();
      set({ featVisOpen: false });
    },

    setFeatVisTarget: (featVisTarget) => {
      const before = get().featVisTarget;
      const same = before !== null && featureVisTargetName(before) === featureVisTargetName(featVisTarget);
      if (!same) {
        // Examples of another unit would be shown as this one's.
        rankings.stop();
        set(NO_EXAMPLES);
      }
      set({ featVisTarget });
    },
    setFeatVisSteps: (featVisSteps) => set({ featVisSteps }),
    setFeatVisSeed: (featVisSeed) => set({ featVisSeed }),
    setFeatVisSize: (featVisSize) => set({ featVisSize }),

    runFeatVis: async () => {
      const s = get();
      const engine = context.engine;
      const handle = s.modelHandle;
      const target = s.featVisTarget;
      if (!engine || !handle || !target || s.modelStatus !== 'ready') return;
      const { isCurrent, signal } = runs.begin();
      const { featVisSteps: steps, featVisSeed: seed, featVisSize: size } = s;
      const startedAt = performance.now();
      set({ featVisStatus: 'running', ...NO_RUN, featVisProgress: { fraction: 0, message: 'Starting' } });
      try {
        const result = await runFeatureVis(
          engine,
          handle,
          { target, steps, seed, size },
          {
            signal,
            onProgress: (featVisProgress) => {
              const elapsed = performance.now() - startedAt;
              const featVisRemainingMs = remainingMs(elapsed, featVisProgress.fraction ?? 0);
              if (isCurrent()) set({ featVisProgress, featVisRemainingMs });
            },
            onPicture: (featVisPictureStep, featVisPicture) => {
              if (isCurrent()) set({ featVisPicture, featVisPictureStep });
            },
          },
        );
        if (!isCurrent()) return;
        const { value, totalMs, stepMs } = result;
        set({
          featVisStatus: 'done',
          featVisProgress: null,
          featVisPicture: result.picture,
          featVisPictureStep: steps,
          featVisRemainingMs: null,
          featVisOutcome: { handle, target, steps, seed, size, value, totalMs, stepMs },
          featVisStepTimes: get().featVisStepTimes.with(handle, target, size, stepMs),
        });
      } catch (err) {
        if (!isCurrent()) return;
        set({
          featVisStatus: isJobCancelled(err) ? 'cancelled' : 'error',
          featVisProgress: null,
          featVisRemainingMs: null,
          featVisError: isJobCancelled(err) ? null : err instanceof Error ? err.message : String(err),
        });
      }
    },

    cancelFeatVis: () => {
      if (get().featVisStatus !== 'running') return;
      stopRun();
      // The picture so far stays: it is what the run had reached.
      set({ featVisStatus: 'cancelled', featVisProgress: null, featVisRemainingMs: null });
    },

    resetFeatVis: () => {
      stopRun();
      rankings.stop();
      set({ featVisStatus: 'idle', ...NO_RUN, ...NO_EXAMPLES });
    },

    findDatasetExamples: async () => {
      const s = get();
      const engine = context.engine;
      const handle = s.modelHandle;
      const target = s.featVisTarget;
      // Images the model read: their crops are in the engine's cache (a failed one would only be skipped).
      const images = s.images.filter((i) => i.status === 'done');
      if (!engine || !handle || !target || s.modelStatus !== 'ready' || images.length === 0) return;
      const { isCurrent, signal } = rankings.begin();
      set({
        ...NO_EXAMPLES,
        featVisExamplesStatus: 'running',
        featVisExamplesProgress: { fraction: 0, message: 'Starting' },
      });
      try {
        const result = await runDatasetExamples(
          engine,
          handle,
          images.map((i) => ({ id: i.id, blob: i.file })),
          target,
          {
            signal,
            onProgress: (featVisExamplesProgress) => {
              if (isCurrent()) set({ featVisExamplesProgress });
            },
          },
        );
        if (!isCurrent()) return;
        const names = new Map(images.map((i) => [i.id, i.fileName]));
        const shown = result.ranked.flatMap(({ imageId, value, cell, crop }) =>
          crop ? [{ imageId, fileName: names.get(imageId) ?? imageId, value, cell, crop }] : [],
        );
        set({
          featVisExamplesStatus: 'done',
          featVisExamplesProgress: null,
          featVisExamples: {
            handle,
            target,
            shown,
            ranked: result.ranked.length,
            skipped: result.skipped.length,
            totalMs: result.totalMs,
          },
        });
      } catch (err) {
        if (!isCurrent()) return;
        set({
          featVisExamplesStatus: isJobCancelled(err) ? 'cancelled' : 'error',
          featVisExamplesProgress: null,
          featVisExamplesError: isJobCancelled(err) ? null : err instanceof Error ? err.message : String(err),
        });
      }
    },

    cancelDatasetExamples: () => {
      if (get().featVisExamplesStatus !== 'running') return;
      rankings.stop();
      set({ featVisExamplesStatus: 'cancelled', featVisExamplesProgress: null });
    },

    exportFeatVisJson: () => {
      const o = get().featVisOutcome;
      if (!o) return;
      const data = {
        model: get().summary?.variant ?? null,
        weights: get().weights?.name ?? null,
        objective:
          o.target.kind === 'class'
            ? { kind: 'class logit', classIndex: o.target.classIndex }
            : o.target.kind === 'block'
              ? { kind: 'channel mean', block: o.target.block, channel: o.target.channel }
              : { kind: 'channel mean', stage: o.target.stage, channel: o.target.channel },
        target: featureVisTargetName(o.target),
        settings: { steps: o.steps, seed: o.seed, size: o.size },
        finalValue: o.value,
        totalMs: o.totalMs,
        medianStepMs: o.stepMs,
      };
      saveToDisk(`${featVisFileName(get())}.json`, JSON.stringify(data, null, 2), 'application/json');
    },
  };
};
