/**
 * "Why did it say that?": explanations of the inspected image for the active model (attribution maps, their
 * faithfulness, the sanity check), with progress, cancel, and export.
 */
import { runJob } from '../client/engineJobs';
import { JobLanes } from '../client/jobLanes';
import type { LaneJob, LaneJobStatus } from '../client/jobLanes';
import {
  computedStages,
  isExplainMethod,
  isSweep,
  mapStage,
  methodsAt,
  requestStage,
} from '../shared/explain';
import type {
  ExplainableStage,
  ExplainMap,
  ExplainMethod,
  ExplainRequest,
  ExplainStage,
  FaithfulnessCurves,
  SanityResult,
  StageChoice,
} from '../shared/explain';
import type { Progress } from '../shared/progress';
import type { FaithfulnessRequest, SanityRequest } from '../shared/protocol';
import { modelRequest } from './modelRequest';
import type { ModelRequest } from './modelRequest';
import { saveToDisk } from './saveToDisk';
import type { AppState, SliceCreator } from './types';

/**
 * `queued`: waiting for another explanation job to finish (the engine runs them one at a time, and so does the
 * store, so that Cancel knows which one it stops).
 */
export type ExplainJobStatus = LaneJobStatus;

export type ExplainJob<Req, Res> = LaneJob<Req, Res>;

/** Each kind of job, under the state key that holds it; a new job of a kind supersedes the older one. */
export interface ExplainJobs {
  explanation: ExplainJob<ExplainRequest, ExplainMap[]>;
  /** Deletion and insertion curves of the map shown. */
  explainFaithfulness: ExplainJob<FaithfulnessRequest, FaithfulnessCurves>;
  /** The same for every method that applies at the stage shown, for the comparison table. */
  explainComparison: ExplainJob<FaithfulnessRequest, FaithfulnessCurves[]>;
  explainSanity: ExplainJob<SanityRequest, SanityResult>;
}

export type ExplainLane = keyof ExplainJobs;
export const EXPLAIN_LANES: readonly ExplainLane[] = [
  'explanation',
  'explainFaithfulness',
  'explainComparison',
  'explainSanity',
];

export type ExplainSlice = { [L in ExplainLane]: ExplainJobs[L] | null } & {
  explainMethod: ExplainMethod;
  /** The stage asked for; null (or a stage the model lacks) means the model's last stage. */
  explainStageChoice: StageChoice | null;
  /** The class asked for; null means the class whose CAM is shown (the top-1 unless another was clicked). */
  explainClassChoice: number | null;
  /** Whether the user asked for an explanation: from then on a new method, stage, class or image asks again. */
  explainActive: boolean;
  /** The job the engine is working on, with its latest progress; null when none is. */
  explainProgress: { lane: ExplainLane; progress: Progress } | null;
  setExplainMethod: (method: ExplainMethod) => void;
  setExplainStage: (stage: StageChoice) => void;
  setExplainClass: (classIndex: number) => void;
  /** Explains the inspected image with the current method, stage and class (nothing if that is already shown). */
  requestExplanation: () => Promise<void>;
  requestFaithfulness: () => Promise<void>;
  compareExplainMethods: () => Promise<void>;
  requestSanityCheck: () => Promise<void>;
  /** Stops every explanation job, running or waiting; they end `cancelled`, not as errors. */
  cancelExplain: () => void;
  /**
   * Drops every explanation (a new inspection or model makes them stale): stops what runs, closes the bitmaps.
   * `keepClass`: the same image again (a model change), so the class asked for still applies.
   */
  resetExplanation: (options?: { keepClass?: boolean; deactivate?: boolean }) => void;
  /** Called once an inspection is ready: asks again if the user had asked before. */
  explainInspectionReady: () => void;
  exportExplanationJson: () => void;
};

/** The stages an explanation can be asked for, in the model's order: from its summary, else its inspection. */
export function explainStages(s: Pick<AppState, 'summary' | 'inspection'>): ExplainableStage[] {
  const names = s.summary?.stages.length
    ? s.summary.stages.map((st) => st.stage)
    : (s.inspection?.stages.map((st) => st.stage) ?? []);
  return names.filter((n): n is ExplainableStage => n !== 'fc');
}

/** The class explained: the one asked for, else the CAM's, else the top-1. */
export function explainClass(s: Pick<AppState, 'explainClassChoice' | 'cam' | 'inspection'>): number | null {
  return s.explainClassChoice ?? s.cam?.classIndex ?? s.inspection?.predictions[0]?.classIndex ?? null;
}

/**
 * What the engine is asked for with the current choices (the stage by the methods table's rule, `requestStage`),
 * or null while nothing is inspected.
 */
export function explainTarget(
  s: Pick<
    AppState,
    'summary' | 'inspection' | 'cam' | 'explainMethod' | 'explainStageChoice' | 'explainClassChoice'
  >,
): ExplainRequest | null {
  const stage = requestStage(s.explainMethod, s.explainStageChoice, explainStages(s));
  const classIndex = explainClass(s);
  if (!stage || classIndex === null || !s.inspection) return null;
  return { method: s.explainMethod, stage, classIndex };
}

/** The stages a request's maps come back for, in order (`input` for the pixel-level methods). */
export function requestedStages(
  request: ExplainRequest,
  stages: readonly ExplainableStage[],
): ExplainStage[] {
  return computedStages(request, stages).map((stage) => mapStage(request.method, stage));
}

/** The answer of the sanity check in words: do the maps depend on what the model learned? */
export function sanityVerdict(result: SanityResult): { passes: boolean; medianCorrelation: number } | null {
  const randomized = result.maps
    .filter((m) => m.level !== 'original')
    .map((m) => Math.abs(m.rankCorrelation))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (randomized.length === 0) return null;
  const mid = randomized.length >> 1;
  const median = randomized.length % 2 ? randomized[mid]! : (randomized[mid - 1]! + randomized[mid]!) / 2;
  // Adebayo et al. read the test by eye; half the ranks still agreeing is well past "looks the same".
  return { passes: median < 0.5, medianCorrelation: median };
}

/** One map as "Export JSON" writes it: enough to compare with another implementation value by value. */
export interface ExportedExplainMap {
  variant: string | null;
  weights: string | null;
  method: ExplainMethod;
  stage: ExplainStage;
  classIndex: number;
  height: number;
  width: number;
  /** Row-major, divided by the map's maximum. */
  values: number[];
}

/** The explanation shown, as exported: one object, or one per stage (in order) for a layer sweep. */
export function explanationExport(
  s: Pick<AppState, 'explanation' | 'summary' | 'weights'>,
): ExportedExplainMap | ExportedExplainMap[] | null {
  const job = s.explanation;
  if (job?.status !== 'done' || !job.result?.length) return null;
  const entries = job.result.map((m): ExportedExplainMap => ({
    variant: s.summary?.variant ?? null,
    weights: s.weights?.name ?? null,
    method: m.method,
    stage: m.stage,
    classIndex: m.classIndex,
    height: m.height,
    width: m.width,
    values: Array.from(m.values),
  }));
  return isSweep(job.request) ? entries : entries[0]!;
}

/** The file name an export of the explanation shown gets (without extension). */
export function explanationFileName(s: Pick<AppState, 'explanation' | 'summary'>): string {
  const r = s.explanation?.request;
  if (!r) return 'explanation';
  const stage = mapStage(r.method, r.stage);
  return `${s.summary?.variant ?? 'model'}-${r.method}-${stage}-class${r.classIndex}`;
}

const sameRequest = (a: ExplainRequest, b: ExplainRequest) =>
  a.method === b.method && a.stage === b.stage && a.classIndex === b.classIndex;

/** Each lane's request and result, as the job lanes see them. */
type ExplainLaneTypes = {
  [L in ExplainLane]: { request: ExplainJobs[L]['request']; result: NonNullable<ExplainJobs[L]['result']> };
};

/** Closes what a job's result holds that the garbage collector would not free promptly (GPU-backed bitmaps). */
function releaseResult(lane: ExplainLane, result: unknown): void {
  if (!result) return;
  if (lane === 'explanation') (result as ExplainMap[]).forEach((m) => m.bitmap.close());
  if (lane === 'explainSanity') (result as SanityResult).maps.forEach((m) => m.bitmap.close());
}

export const createExplainSlice: SliceCreator<ExplainSlice> = (set, get, _store, context) => {
  // Per lane, only the newest job's answer is applied; jobs go to the engine one at a time, so Cancel (or a
  // superseding request) stops the one the engine is on (client/jobLanes.ts).
  const lanes = new JobLanes<ExplainLaneTypes>(
    {
      // The state's job of a lane is that lane's LaneJob; TypeScript cannot relate the two for a generic lane.
      job: (lane) => get()[lane] as never,
      setJob: (lane, job) => set({ [lane]: job } as Partial<AppState>),
      setProgress: (explainProgress) => set({ explainProgress }),
      release: releaseResult,
    },
    EXPLAIN_LANES,
  );

  /**
   * Queues a job of `lane` about the inspected image on the active model (both named now, when it is asked for),
   * superseding the lane's older one.
   */
  function start<L extends ExplainLane>(
    lane: L,
    request: ExplainJobs[L]['request'],
    call: (target: ModelRequest, job: string) => Promise<ExplainLaneTypes[L]['result']>,
  ): Promise<void> {
    const target = modelRequest(get(), context, get().inspectedImageId);
    return lanes.start(lane, request, (options) => {
      if (!target || target.engine !== context.engine) {
        return Promise.reject(new Error('The engine is not running.'));
      }
      return runJob(target.engine, 'explain', (job) => call(target, job), options);
    });
  }

  /** Drops the results that no longer describe the map about to be shown. */
  function dropStale(target: ExplainRequest): void {
    const sameMap = (r: { stage: string; classIndex: number }, method: ExplainMethod) =>
      target.stage !== 'all' &&
      r.stage === target.stage &&
      r.classIndex === target.classIndex &&
      method === target.method;
    const faithfulness = get().explainFaithfulness;
    if (faithfulness && !sameMap(faithfulness.request, faithfulness.request.methods[0]!))
      lanes.drop('explainFaithfulness');
    const sanity = get().explainSanity;
    if (sanity && !sameMap(sanity.request, sanity.request.method)) lanes.drop('explainSanity');
    const comparison = get().explainComparison;
    if (
      comparison &&
      (target.stage !== comparison.request.stage || target.classIndex !== comparison.request.classIndex)
    ) {
      lanes.drop('explainComparison');
    }
  }

  /** The current target at one stage (faithfulness and the sanity check need one), or null for a sweep. */
  function singleStageTarget(): (ExplainRequest & { stage: ExplainableStage }) | null {
    const s = get();
    if (s.inspectStatus !== 'ready') return null;
    const target = explainTarget(s);
    if (!target || target.stage === 'all') return null;
    return target as ExplainRequest & { stage: ExplainableStage };
  }

  /** Re-asks after a choice changed, if the user asked for explanations. */
  const followChoice = () => {
    if (get().explainActive) void get().requestExplanation();
  };

  return {
    explanation: null,
    explainFaithfulness: null,
    explainComparison: null,
    explainSanity: null,
    explainMethod: 'gradcam',
    explainStageChoice: null,
    explainClassChoice: null,
    explainActive: false,
    explainProgress: null,

    setExplainMethod: (method) => {
      if (!isExplainMethod(method)) return;
      set({ explainMethod: method });
      followChoice();
    },

    setExplainStage: (stage) => {
      set({ explainStageChoice: stage });
      followChoice();
    },

    setExplainClass: (classIndex) => {
      if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= 1000) return;
      set({ explainClassChoice: classIndex });
      followChoice();
    },

    requestExplanation: async () => {
      const s = get();
      if (s.inspectStatus !== 'ready') return;
      const target = explainTarget(s);
      if (!target) return;
      set({ explainActive: true });
      const current = s.explanation;
      // The same map, shown or on its way: nothing to do (a cancelled or failed one is asked again).
      if (
        current &&
        sameRequest(current.request, target) &&
        !['cancelled', 'error'].includes(current.status)
      ) {
        return;
      }
      dropStale(target);
      await start('explanation', target, ({ engine, handle, image }, job) =>
        engine.explain(handle, image, target, job),
      );
    },

    requestFaithfulness: async () => {
      const target = singleStageTarget();
      if (!target) return;
      const request: FaithfulnessRequest = {
        methods: [target.method],
        stage: target.stage,
        classIndex: target.classIndex,
      };
      await start('explainFaithfulness', request, async ({ engine, handle, image }, job) => {
        const [curves] = await engine.faithfulness(handle, image, request, job);
        if (!curves) throw new Error('The engine returned no faithfulness curves.');
        return curves;
      });
    },

    compareExplainMethods: async () => {
      const target = singleStageTarget();
      if (!target) return;
      const request: FaithfulnessRequest = {
        methods: methodsAt(target.stage, explainStages(get())),
        stage: target.stage,
        classIndex: target.classIndex,
      };
      await start('explainComparison', request, ({ engine, handle, image }, job) =>
        engine.faithfulness(handle, image, request, job),
      );
    },

    requestSanityCheck: async () => {
      const target = singleStageTarget();
      if (!target) return;
      const request: SanityRequest = {
        method: target.method,
        stage: target.stage,
        classIndex: target.classIndex,
      };
      await start('explainSanity', request, ({ engine, handle, image }, job) =>
        engine.sanityCheck(handle, image, request, job),
      );
    },

    cancelExplain: () => lanes.cancelAll(),

    resetExplanation: ({ keepClass = false, deactivate = false } = {}) => {
      lanes.reset();
      set({
        ...(keepClass ? {} : { explainClassChoice: null }),
        ...(deactivate ? { explainActive: false } : {}),
      });
    },

    explainInspectionReady: followChoice,

    exportExplanationJson: () => {
      const data = explanationExport(get());
      if (!data) return;
      saveToDisk(`${explanationFileName(get())}.json`, JSON.stringify(data), 'application/json');
    },
  };
};
