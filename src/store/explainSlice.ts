/**
 * "Why did it say that?": explanations of the inspected image for the active model (attribution maps, their
 * faithfulness, the sanity check), with progress, cancel, and export.
 */
import {
  EXPLAIN_CANCELLED,
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
import type { EngineApi, FaithfulnessRequest, SanityRequest } from '../shared/protocol';
import { SerialQueue } from '../shared/serialQueue';
import { getEngine } from './engineRef';
import { saveToDisk } from './saveToDisk';
import type { AppState, SliceCreator } from './types';

/**
 * `queued`: waiting for another explanation job to finish (the engine runs them one at a time, and so does the
 * store, so that Cancel knows which one it stops).
 */
export type ExplainJobStatus = 'queued' | 'running' | 'done' | 'cancelled' | 'error';

export interface ExplainJob<Req, Res> {
  request: Req;
  status: ExplainJobStatus;
  result: Res | null;
  error: string | null;
}

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

function isCancelled(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === EXPLAIN_CANCELLED;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Closes what a job's result holds that the garbage collector would not free promptly (GPU-backed bitmaps). */
function releaseResult(lane: ExplainLane, result: unknown): void {
  if (!result) return;
  if (lane === 'explanation') (result as ExplainMap[]).forEach((m) => m.bitmap.close());
  if (lane === 'explainSanity') (result as SanityResult).maps.forEach((m) => m.bitmap.close());
}

export const createExplainSlice: SliceCreator<ExplainSlice> = (set, get) => {
  // Per kind of job, only the newest one's answer is applied (the token pattern of the inspector); superseded
  // answers have their bitmaps closed at once. Jobs go to the engine one at a time through `queue`, so the store
  // knows which one the engine is on: that is the one Cancel (or a superseding request) stops in the engine.
  const tokens: Record<ExplainLane, number> = {
    explanation: 0,
    explainFaithfulness: 0,
    explainComparison: 0,
    explainSanity: 0,
  };
  let queue = new SerialQueue();
  let running: { lane: ExplainLane; token: number; engine: EngineApi; stopping: boolean } | null = null;

  const job = <L extends ExplainLane>(lane: L) => get()[lane] as ExplainJobs[L] | null;
  const setJob = <L extends ExplainLane>(lane: L, value: ExplainJobs[L] | null) =>
    set({ [lane]: value } as Partial<AppState>);
  const patchJob = <L extends ExplainLane>(lane: L, patch: Partial<ExplainJobs[L]>) => {
    const current = job(lane);
    if (current) setJob(lane, { ...current, ...patch });
  };

  /** Asks the engine to stop the job it is running, once. */
  function stopRunning(): void {
    if (!running || running.stopping) return;
    running.stopping = true;
    void running.engine.cancelExplain().catch(() => undefined);
  }

  /** Forgets a lane's job: its answer, if one still comes, is dropped; it is stopped if the engine is on it. */
  function drop(lane: ExplainLane): void {
    tokens[lane]++;
    if (running?.lane === lane) stopRunning();
    releaseResult(lane, job(lane)?.result);
    setJob(lane, null);
    if (get().explainProgress?.lane === lane) set({ explainProgress: null });
  }

  /** Queues a job of `lane`, superseding the lane's older one. */
  function start<L extends ExplainLane>(
    lane: L,
    request: ExplainJobs[L]['request'],
    call: (engine: EngineApi, onProgress: (p: Progress) => void) => Promise<ExplainJobs[L]['result']>,
  ): Promise<void> {
    drop(lane);
    const mine = tokens[lane];
    setJob(lane, { request, status: 'queued', result: null, error: null } as ExplainJobs[L]);
    return queue.run(async () => {
      if (mine !== tokens[lane]) return; // superseded or cancelled before its turn
      const engine = getEngine();
      if (!engine) {
        patchJob(lane, { status: 'error', error: 'The engine is not running.' } as Partial<ExplainJobs[L]>);
        return;
      }
      const me = { lane, token: mine, engine, stopping: false };
      running = me;
      patchJob(lane, { status: 'running' } as Partial<ExplainJobs[L]>);
      set({ explainProgress: { lane, progress: { fraction: null, message: 'Starting' } } });
      try {
        const result = await call(engine, (progress) => {
          if (mine === tokens[lane]) set({ explainProgress: { lane, progress } });
        });
        if (mine !== tokens[lane]) {
          releaseResult(lane, result);
          return;
        }
        patchJob(lane, { status: 'done', result } as Partial<ExplainJobs[L]>);
      } catch (err) {
        if (mine !== tokens[lane]) return;
        patchJob(
          lane,
          (isCancelled(err)
            ? { status: 'cancelled' }
            : { status: 'error', error: errorText(err) }) as Partial<ExplainJobs[L]>,
        );
      } finally {
        if (running === me) running = null;
        if (mine === tokens[lane] && get().explainProgress?.lane === lane) set({ explainProgress: null });
        // Explanations allocate more than anything else the engine does: the badge shows that they are freed.
        void engine.memory().then(
          (m) => get().setMemory(m),
          () => undefined,
        );
      }
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
      drop('explainFaithfulness');
    const sanity = get().explainSanity;
    if (sanity && !sameMap(sanity.request, sanity.request.method)) drop('explainSanity');
    const comparison = get().explainComparison;
    if (
      comparison &&
      (target.stage !== comparison.request.stage || target.classIndex !== comparison.request.classIndex)
    ) {
      drop('explainComparison');
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
      await start('explanation', target, (engine, onProgress) => engine.explain(target, onProgress));
    },

    requestFaithfulness: async () => {
      const target = singleStageTarget();
      if (!target) return;
      const request: FaithfulnessRequest = {
        methods: [target.method],
        stage: target.stage,
        classIndex: target.classIndex,
      };
      await start('explainFaithfulness', request, async (engine, onProgress) => {
        const [curves] = await engine.faithfulness(request, onProgress);
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
      await start('explainComparison', request, (engine, onProgress) =>
        engine.faithfulness(request, onProgress),
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
      await start('explainSanity', request, (engine, onProgress) => engine.sanityCheck(request, onProgress));
    },

    cancelExplain: () => {
      for (const lane of EXPLAIN_LANES) {
        const current = job(lane);
        if (current?.status === 'queued' || current?.status === 'running') {
          tokens[lane]++;
          patchJob(lane, { status: 'cancelled' });
        }
      }
      stopRunning();
      set({ explainProgress: null });
    },

    resetExplanation: ({ keepClass = false, deactivate = false } = {}) => {
      EXPLAIN_LANES.forEach(drop);
      // A job stuck on a retired engine must not hold up the next image's: a fresh queue.
      queue = new SerialQueue();
      set({
        explainProgress: null,
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
