import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { StartedEngine } from '../client/engineClient';
import { PROGRESS_INTERVAL_MS } from '../client/progressPace';
import type { BackendChoice, ClassifyResult, EngineApi, ModelSource } from '../shared/protocol';
import { RESNET50_FETCH_HINT } from '../shared/resnet50Package';
import type { VariantId } from '../shared/variants';
import { MEMORY, deferred, fakeEngine, flush, modelInfo, started } from '../testing/fakeEngine';
import type { Deferred, FakeEngine } from '../testing/fakeEngine';
import { createAppStore } from './index';
import type { AppStore } from './index';

const client = vi.hoisted(() => ({
  startEngine: vi.fn<(backend: BackendChoice) => Promise<StartedEngine>>(),
  isBundledResNet50Installed: vi.fn<(modelUrl: string) => Promise<boolean>>(),
}));

vi.mock('../client/modelSources', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../client/modelSources')>()),
  isBundledResNet50Installed: client.isBundledResNet50Installed,
}));

const RESNET50_URL = 'http://127.0.0.1/models/resnet50/model.json';

/** A fake engine, recorded in `engines`. */
function newEngine(): FakeEngine {
  const fake = fakeEngine();
  engines.push(fake);
  return fake;
}

/**
 * From now on each engine start creates its engine at once (in `engines`) but waits for the test to let it
 * through: `starts[i].resolve()`.
 */
function holdStarts(): Deferred<void>[] {
  const starts: Deferred<void>[] = [];
  client.startEngine.mockImplementation(async (backend) => {
    const fake = newEngine();
    const gate = deferred<void>();
    starts.push(gate);
    await gate.promise;
    return started(backend, fake);
  });
  return starts;
}

let store: AppStore;
let getEngine: () => EngineApi | null;
/** Every engine the store started, in order. */
let engines: FakeEngine[];

beforeEach(async () => {
  vi.stubGlobal('window', { location: { href: 'http://127.0.0.1/' } });
  engines = [];
  client.startEngine.mockReset();
  client.startEngine.mockImplementation(async (backend) => started(backend, newEngine()));
  client.isBundledResNet50Installed.mockReset();
  client.isBundledResNet50Installed.mockResolvedValue(true);
  // A fresh store (and engine reference, and image ids) per test, built as the app builds it.
  store = createAppStore({ startEngine: client.startEngine });
  getEngine = store.engine;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/**
 * Runs startApp until its first model load reaches the engine; returns the running startApp (wrapped: an async
 * function returning it bare would wait for it).
 */
async function startUntilLoading(backend: BackendChoice, variant: VariantId | null) {
  const app = store.getState().startApp({ backend, variant });
  await flush();
  return { app };
}

/** Starts the app with `variant` loaded and ready; returns the engine. */
async function startReady(variant: VariantId = 'resnet18'): Promise<FakeEngine> {
  const { app } = await startUntilLoading('wasm', variant);
  const fake = engines[0]!;
  fake.loads[0]!.answer.resolve(modelInfo(variant));
  await app;
  await flush();
  return fake;
}

/** Asks for ResNet34 and at once for ResNet50, until both loads reach `fake`; returns both requests and loads. */
async function switchTwice(fake: FakeEngine) {
  const first = store.getState().switchVariant('resnet34');
  const second = store.getState().switchVariant('resnet50');
  await flush();
  const [, older, newer] = fake.loads;
  return { first, second, older, newer };
}

/** `fake` reports a fault and the store recovers as far as it can alone; returns the newest engine. */
async function faultOn(fake: FakeEngine, reason: string): Promise<FakeEngine> {
  fake.fault(reason);
  await flush();
  return engines.at(-1)!;
}

/**
 * Adds an image whose classification on `fake` never answers, and waits until it is classifying; `workerDies`
 * then kills the worker as a real one dies: the call in flight rejects, and the engine reports the fault.
 */
async function imageCaughtInFault(fake: FakeEngine) {
  const { EngineFaultError } = await import('../client/engineClient');
  const stuck = deferred<ClassifyResult[]>();
  fake.engine.classify.mockImplementation(() => stuck.promise);
  store.getState().addImages([new File(['a'], 'a.png')]);
  await flush();
  const [image] = store.getState().images;
  expect(image!.status).toBe('classifying');
  return {
    image,
    workerDies: async () => {
      stuck.reject(new EngineFaultError('The inference worker stopped unexpectedly.'));
      return faultOn(fake, 'The inference worker stopped unexpectedly.');
    },
  };
}

type FilesSource = Extract<ModelSource, { kind: 'files' }>;

/** The weights in x.pth as read from the file: a fresh buffer each time, as a read gives. */
function readXPth(): FilesSource {
  return {
    kind: 'files',
    origin: 'file',
    name: 'x.pth',
    files: [{ name: 'x.pth', data: new Uint8Array([1, 2, 3, 4]).buffer }],
  };
}

describe('startApp', () => {
  it('starts the engine on the requested backend and loads ResNet50 when it is installed and no variant was asked', async () => {
    const { app } = await startUntilLoading('webgl', null);

    expect(client.startEngine).toHaveBeenCalledExactlyOnceWith('webgl');
    expect(client.isBundledResNet50Installed).toHaveBeenCalledWith(RESNET50_URL);
    expect(store.getState().backendChoice).toBe('webgl');
    expect(store.getState().backend).toEqual({ name: 'webgl', requested: 'webgl', thread: 'worker' });
    expect(getEngine()).toBe(engines[0]!.engine);
    const { loads } = engines[0]!;
    expect(loads.map((l) => l.source)).toEqual([
      { kind: 'bundled', variant: 'resnet50', modelUrl: RESNET50_URL },
    ]);
    expect(store.getState()).toMatchObject({
      variant: 'resnet50',
      modelStatus: 'loading',
      resnet50Installed: true,
    });

    const info = modelInfo('resnet50');
    loads[0]!.answer.resolve(info);
    await app;

    expect(store.getState()).toMatchObject({
      variant: 'resnet50',
      modelStatus: 'ready',
      loadProgress: null,
      summary: info.summary,
      weights: info.weights,
      buildMs: 123,
      appError: null,
      memory: MEMORY,
    });
  });

  it('loads ResNet18 with seeded weights when ResNet50 is not installed and no variant was asked', async () => {
    client.isBundledResNet50Installed.mockResolvedValue(false);
    const { app } = await startUntilLoading('wasm', null);

    const { loads } = engines[0]!;
    expect(loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet18' }]);
    loads[0]!.answer.resolve(modelInfo('resnet18'));
    await app;

    expect(store.getState()).toMatchObject({
      variant: 'resnet18',
      modelStatus: 'ready',
      resnet50Installed: false,
      summary: { variant: 'resnet18' },
      weights: { origin: 'random' },
    });
  });

  it('loads the variant asked for even when ResNet50 is installed', async () => {
    const { app } = await startUntilLoading('cpu', 'resnet34');

    expect(client.startEngine).toHaveBeenCalledWith('cpu');
    const { loads } = engines[0]!;
    expect(loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet34' }]);
    loads[0]!.answer.resolve(modelInfo('resnet34'));
    await app;

    expect(store.getState()).toMatchObject({ variant: 'resnet34', modelStatus: 'ready' });
  });

  it('asked for ResNet50 that is not installed, it says how to fetch it and loads ResNet18 instead', async () => {
    client.isBundledResNet50Installed.mockResolvedValue(false);
    const { app } = await startUntilLoading('wasm', 'resnet50');

    const { loads } = engines[0]!;
    expect(loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet18' }]);
    expect(store.getState()).toMatchObject({
      variant: 'resnet18',
      modelStatus: 'loading',
      appError: RESNET50_FETCH_HINT,
    });
    loads[0]!.answer.resolve(modelInfo('resnet18'));
    await app;

    expect(store.getState()).toMatchObject({ variant: 'resnet18', modelStatus: 'ready' });
  });

  it('asked for ResNet50 that is not installed, it still shows the fetch hint once ResNet18 has loaded instead', async () => {
    client.isBundledResNet50Installed.mockResolvedValue(false);
    const { app } = await startUntilLoading('wasm', 'resnet50');

    engines[0]!.loads[0]!.answer.resolve(modelInfo('resnet18'));
    await app;

    expect(store.getState()).toMatchObject({
      variant: 'resnet18',
      modelStatus: 'ready',
      summary: { variant: 'resnet18' },
      appError: RESNET50_FETCH_HINT,
    });
  });

  it('says why when no engine can start, and loads nothing', async () => {
    client.startEngine.mockRejectedValue(new Error('No TensorFlow.js backend could start: cpu: broken'));

    await store.getState().startApp({ backend: 'cpu', variant: null });

    expect(getEngine()).toBeNull();
    expect(store.getState()).toMatchObject({
      modelStatus: 'error',
      loadProgress: null,
      appError: 'No TensorFlow.js backend could start: cpu: broken',
    });
  });

  it('classifies the images dropped while the model was loading once it is ready', async () => {
    store.getState().addImages([new File(['a'], 'a.png'), new File(['b'], 'b.png')]);
    const { app } = await startUntilLoading('wasm', 'resnet18');
    const fake = engines[0]!;
    expect(fake.engine.classify).not.toHaveBeenCalled();

    fake.loads[0]!.answer.resolve(modelInfo('resnet18'));
    await app;
    await flush();

    expect(fake.classified).toEqual(store.getState().images.map((i) => i.id));
    expect(store.getState().images.map((i) => i.status)).toEqual(['done', 'done']);
  });
});

describe('load progress', () => {
  it('reaches loadProgress while loading and is cleared once the model is ready', async () => {
    const { app } = await startUntilLoading('wasm', 'resnet18');
    const load = engines[0]!.loads[0]!;

    expect(store.getState().loadProgress).toEqual({ fraction: 0, message: 'Starting' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      load.onProgress({ fraction: 0.25, message: 'Building layer1' });
      expect(store.getState().loadProgress).toEqual({ fraction: 0.25, message: 'Building layer1' });
      // Progress is drawn at a reader's pace (progressPace.ts): the next one within the interval waits for it.
      load.onProgress({ fraction: 0.75, message: 'Warming up' });
      expect(store.getState().loadProgress).toEqual({ fraction: 0.25, message: 'Building layer1' });
      vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
      expect(store.getState().loadProgress).toEqual({ fraction: 0.75, message: 'Warming up' });
    } finally {
      vi.useRealTimers();
    }

    load.answer.resolve(modelInfo('resnet18'));
    await app;

    expect(store.getState().modelStatus).toBe('ready');
    expect(store.getState().loadProgress).toBeNull();
  });

  it('ignores progress from a load that a later one superseded', async () => {
    const fake = await startReady('resnet18');
    const { older, newer } = await switchTwice(fake);

    newer!.onProgress({ fraction: 0.5, message: 'Fetching weights' });
    older!.onProgress({ fraction: 0.9, message: 'Building layer4' });

    expect(store.getState().loadProgress).toEqual({ fraction: 0.5, message: 'Fetching weights' });
  });
});

describe('switchVariant', () => {
  it('loads the variant asked for and makes it active', async () => {
    const fake = await startReady('resnet18');

    const switching = store.getState().switchVariant('resnet34');
    expect(store.getState()).toMatchObject({ variant: 'resnet34', modelStatus: 'loading' });
    await flush();
    expect(fake.loads[1]!.source).toEqual({ kind: 'random', variant: 'resnet34' });
    fake.loads[1]!.answer.resolve(modelInfo('resnet34'));
    await switching;

    expect(store.getState()).toMatchObject({
      variant: 'resnet34',
      modelStatus: 'ready',
      summary: { variant: 'resnet34' },
    });
  });

  it('does nothing when the variant asked for is already active', async () => {
    const fake = await startReady('resnet18');

    await store.getState().switchVariant('resnet18');

    expect(fake.loads).toHaveLength(1);
    expect(store.getState().modelStatus).toBe('ready');
  });

  it('applies only the latest request when an earlier one finishes last', async () => {
    const fake = await startReady('resnet18');

    const { first, second, older, newer } = await switchTwice(fake);
    expect(older!.source).toEqual({ kind: 'random', variant: 'resnet34' });
    expect(newer!.source).toEqual({ kind: 'bundled', variant: 'resnet50', modelUrl: RESNET50_URL });

    newer!.answer.resolve(modelInfo('resnet50'));
    await second;
    older!.answer.resolve(modelInfo('resnet34'));
    await first;

    expect(store.getState()).toMatchObject({
      variant: 'resnet50',
      modelStatus: 'ready',
      summary: { variant: 'resnet50' },
      weights: { origin: 'bundled' },
    });
  });

  it('ignores an earlier request that finishes first, and waits for the latest', async () => {
    const fake = await startReady('resnet18');

    const { first, second, older, newer } = await switchTwice(fake);

    older!.answer.resolve(modelInfo('resnet34'));
    await expect(first).resolves.toBeUndefined();
    expect(store.getState()).toMatchObject({
      variant: 'resnet50',
      modelStatus: 'loading',
      summary: { variant: 'resnet18' },
    });

    newer!.answer.resolve(modelInfo('resnet50'));
    await second;
    expect(store.getState()).toMatchObject({ variant: 'resnet50', summary: { variant: 'resnet50' } });
  });

  it('ignores the failure of a request that a later one superseded', async () => {
    const fake = await startReady('resnet18');

    const { first, second, older, newer } = await switchTwice(fake);
    older!.answer.reject(new Error('out of memory'));
    await first;
    newer!.answer.resolve(modelInfo('resnet50'));
    await second;

    expect(store.getState()).toMatchObject({ variant: 'resnet50', modelStatus: 'ready', appError: null });
  });

  it('keeps the previous model active when the load fails, and says what failed', async () => {
    const fake = await startReady('resnet18');
    const before = store.getState().summary;

    const switching = store.getState().switchVariant('resnet34');
    await flush();
    fake.loads[1]!.answer.reject(new Error('WebGL ran out of memory'));
    await switching;

    expect(store.getState()).toMatchObject({
      variant: 'resnet18',
      modelStatus: 'ready',
      loadProgress: null,
      appError: 'Could not load ResNet34: WebGL ran out of memory',
    });
    expect(store.getState().summary).toBe(before);
  });

  it('sets modelStatus error when the very first model fails to load', async () => {
    const { app } = await startUntilLoading('wasm', 'resnet18');
    engines[0]!.loads[0]!.answer.reject(new Error('shader compile failed'));
    await app;

    expect(store.getState()).toMatchObject({
      modelStatus: 'error',
      summary: null,
      appError: 'Could not load ResNet18: shader compile failed',
    });
  });

  it('asked for ResNet50 that is not installed, it shows the fetch hint and loads nothing', async () => {
    client.isBundledResNet50Installed.mockResolvedValue(false);
    const fake = await startReady('resnet18');

    await store.getState().switchVariant('resnet50');

    expect(fake.loads).toHaveLength(1);
    expect(store.getState()).toMatchObject({
      variant: 'resnet18',
      modelStatus: 'ready',
      appError: RESNET50_FETCH_HINT,
    });
  });
});

describe('engine fault recovery', () => {
  it('starts a new engine on the same backend setting, reloads the model and says the engine was restarted', async () => {
    const first = await startReady('resnet34');
    expect(first.engine.onFault).toHaveBeenCalledOnce();

    const second = await faultOn(first, 'The inference worker stopped unexpectedly.');

    expect(client.startEngine).toHaveBeenCalledTimes(2);
    expect(client.startEngine).toHaveBeenLastCalledWith('wasm');
    expect(first.engine.dispose).toHaveBeenCalledOnce();
    expect(getEngine()).toBe(second.engine);
    expect(second.loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet34' }]);
    expect(store.getState().modelStatus).toBe('loading');

    second.loads[0]!.answer.resolve(modelInfo('resnet34'));
    await flush();

    expect(store.getState()).toMatchObject({
      variant: 'resnet34',
      modelStatus: 'ready',
      appError: 'The inference worker stopped unexpectedly. The engine was restarted and the model reloaded.',
    });
  });

  it('says that weights loaded from files with no way to read them again could not be restored', async () => {
    const first = await startReady('resnet18');
    const loading = store.getState().loadModel('weights from my.pth', {
      kind: 'files',
      origin: 'file',
      name: 'my.pth',
      files: [],
    });
    await flush();
    first.loads[1]!.answer.resolve(modelInfo('resnet34', { origin: 'file', name: 'my.pth' }));
    await loading;
    expect(store.getState().weights).toEqual({ origin: 'file', name: 'my.pth' });
    // Its buffers went to the engine, and nothing was given to read them again: nothing to restore.
    expect(store.getState().activeModel).toBeNull();

    const second = await faultOn(first, 'The GPU (WebGL) context was lost.');
    // The variant the weights held is rebuilt with seeded weights instead.
    expect(second.loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet34' }]);
    second.loads[0]!.answer.resolve(modelInfo('resnet34'));
    await flush();

    expect(second.loads).toHaveLength(1);
    expect(store.getState().appError).toBe(
      'The GPU (WebGL) context was lost. The engine was restarted and the model reloaded, ' +
        'but the weights from my.pth could not be restored: load them again.',
    );
    expect(store.getState()).toMatchObject({
      modelStatus: 'ready',
      weights: { origin: 'random', name: 'random init (seed 42)' },
      activeModel: { what: 'ResNet34' },
    });
  });

  it('keeps the reason no engine could start, after the fault, when the restart fails', async () => {
    const first = await startReady('resnet34');
    client.startEngine.mockRejectedValue(new Error('No TensorFlow.js backend could start: wasm: broken'));

    await faultOn(first, 'The inference worker stopped unexpectedly.');

    expect(client.startEngine).toHaveBeenCalledTimes(2);
    expect(getEngine()).toBeNull();
    expect(store.getState()).toMatchObject({
      modelStatus: 'error',
      loadProgress: null,
      appError:
        'The inference worker stopped unexpectedly. No TensorFlow.js backend could start: wasm: broken',
    });
  });

  it('keeps the reason the model could not be reloaded, after the fault, when the reload fails', async () => {
    const first = await startReady('resnet34');

    const second = await faultOn(first, 'The GPU (WebGL) context was lost.');
    expect(getEngine()).toBe(second.engine);
    // The active model is the seeded variant: when it fails there is nothing else to fall back to, so it is
    // not tried a second time.
    second.loads[0]!.answer.reject(new Error('shader compile failed'));
    await flush();

    expect(second.loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet34' }]);
    expect(store.getState()).toMatchObject({
      modelStatus: 'error',
      loadProgress: null,
      appError: 'The GPU (WebGL) context was lost. Could not load ResNet34: shader compile failed',
    });
  });

  it('ignores a fault reported by an engine that was already replaced', async () => {
    const first = await startReady('resnet18');
    const second = await faultOn(first, 'The inference worker stopped unexpectedly.');
    second.loads[0]!.answer.resolve(modelInfo('resnet18'));
    await flush();

    await faultOn(first, 'The inference worker stopped unexpectedly.');

    expect(client.startEngine).toHaveBeenCalledTimes(2);
    expect(getEngine()).toBe(engines[1]!.engine);
  });

  it('classifies again, on the new engine, an image caught in the fault', async () => {
    const first = await startReady('resnet18');
    const { image, workerDies } = await imageCaughtInFault(first);

    const second = await workerDies();
    expect(store.getState().images[0]!.status).toBe('queued');
    second.loads[0]!.answer.resolve(modelInfo('resnet18'));
    await flush();

    expect(second.classified).toEqual([image!.id]);
    expect(store.getState().images[0]).toMatchObject({ status: 'done', attempts: 1 });
  });
});

describe('restartEngine', () => {
  it('disposes the previous engine, starts one on the new backend and reloads the current variant', async () => {
    const first = await startReady('resnet34');

    const restarting = store.getState().restartEngine('cpu');
    expect(store.getState()).toMatchObject({ backendChoice: 'cpu', modelStatus: 'loading', summary: null });
    expect(first.engine.dispose).toHaveBeenCalledOnce();
    await flush();

    expect(client.startEngine).toHaveBeenLastCalledWith('cpu');
    const second = engines[1]!;
    expect(getEngine()).toBe(second.engine);
    expect(store.getState().backend).toEqual({ name: 'cpu', requested: 'cpu', thread: 'worker' });
    expect(second.loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet34' }]);
    second.loads[0]!.answer.resolve(modelInfo('resnet34'));
    await restarting;

    expect(store.getState()).toMatchObject({
      backendChoice: 'cpu',
      modelStatus: 'ready',
      summary: { variant: 'resnet34' },
    });
  });

  it('is not held up by a previous engine whose dispose fails', async () => {
    const first = await startReady('resnet18');
    first.engine.dispose.mockRejectedValue(new Error('worker already gone'));

    const restarting = store.getState().restartEngine('wasm');
    await flush();
    engines[1]!.loads[0]!.answer.resolve(modelInfo('resnet18'));
    await restarting;

    expect(store.getState().modelStatus).toBe('ready');
  });
});

describe('restartEngine, answered', () => {
  it('resolves active once the active model is loaded again, variant when only the variant is, null when nothing loads or no engine starts', async () => {
    await startReady('resnet18');

    const reloading = store.getState().restartEngine('wasm');
    await flush();
    engines[1]!.loads[0]!.answer.resolve(modelInfo('resnet18'));
    await expect(reloading).resolves.toBe('active');
    expect(store.getState().appError).toBeNull();

    // Weights whose reload fails on the new engine: the variant is rebuilt instead.
    const weights = store
      .getState()
      .loadModel('weights from x.pth', readXPth(), { again: async () => readXPth() });
    await flush();
    engines[1]!.loads[1]!.answer.resolve(modelInfo('resnet18', { origin: 'file', name: 'x.pth' }));
    await weights;
    const fellBack = store.getState().restartEngine('wasm');
    await flush();
    engines[2]!.loads[0]!.answer.reject(new Error('out of memory'));
    await flush();
    expect(engines[2]!.loads.map((l) => l.source.kind)).toEqual(['files', 'random']);
    engines[2]!.loads[1]!.answer.resolve(modelInfo('resnet18'));
    await expect(fellBack).resolves.toBe('variant');
    // Why the active model did not come back stays said, though the variant loaded.
    expect(store.getState()).toMatchObject({
      modelStatus: 'ready',
      appError: 'Could not load weights from x.pth: out of memory',
    });

    // The active model is now the variant itself: when it fails there is nothing to fall back to.
    const failingLoad = store.getState().restartEngine('wasm');
    await flush();
    engines[3]!.loads[0]!.answer.reject(new Error('shader compile failed'));
    await expect(failingLoad).resolves.toBeNull();
    expect(engines[3]!.loads).toHaveLength(1);
    expect(store.getState()).toMatchObject({
      modelStatus: 'error',
      appError: 'Could not load ResNet18: shader compile failed',
    });

    client.startEngine.mockRejectedValueOnce(new Error('No TensorFlow.js backend could start'));
    await expect(store.getState().restartEngine('wasm')).resolves.toBeNull();
    expect(engines).toHaveLength(4);
    expect(store.getState().appError).toBe('No TensorFlow.js backend could start');
  });
});

describe('restoring the active model on a new engine', () => {
  /** Loads x.pth's weights (ResNet34) on `fake`, which was ready; `again` reads them anew. */
  async function loadXPth(fake: FakeEngine, again: () => Promise<ModelSource>): Promise<FilesSource> {
    const source = readXPth();
    const loading = store.getState().loadModel('weights from x.pth', source, { again });
    await flush();
    expect(fake.loads.at(-1)!.source).toBe(source);
    fake.loads.at(-1)!.answer.resolve(modelInfo('resnet34', { origin: 'file', name: 'x.pth' }));
    await loading;
    expect(store.getState().activeModel).toEqual({ what: 'weights from x.pth', source: again });
    return source;
  }

  it('after a fault, loads the weights read again from their files, says they were restored and retries the images in flight', async () => {
    const first = await startReady('resnet18');
    const again = vi.fn(async () => readXPth());
    const original = await loadXPth(first, again);
    expect(again).not.toHaveBeenCalled();
    const { image, workerDies } = await imageCaughtInFault(first);

    const second = await workerDies();

    expect(again).toHaveBeenCalledOnce();
    expect(second.loads).toHaveLength(1);
    const restored = second.loads[0]!.source;
    // The source `again` made, not the one whose buffers went to the dead engine.
    expect(restored).toBe(await again.mock.results[0]!.value);
    expect(restored).not.toBe(original);
    expect(restored).toEqual(readXPth());
    expect(second.classified).toEqual([]);
    second.loads[0]!.answer.resolve(modelInfo('resnet34', { origin: 'file', name: 'x.pth' }));
    await flush();

    expect(store.getState()).toMatchObject({
      variant: 'resnet34',
      modelStatus: 'ready',
      weights: { origin: 'file', name: 'x.pth' },
      appError:
        'The inference worker stopped unexpectedly. The engine was restarted and the weights from x.pth restored.',
    });
    // The same maker stays active, so a second fault restores the weights again.
    expect(store.getState().activeModel).toEqual({ what: 'weights from x.pth', source: again });
    expect(second.classified).toEqual([image!.id]);
    expect(store.getState().images[0]).toMatchObject({ status: 'done', attempts: 1 });

    await faultOn(second, 'The GPU (WebGL) context was lost.');
    expect(again).toHaveBeenCalledTimes(2);
    expect(engines[2]!.loads.map((l) => l.source)).toEqual([await again.mock.results[1]!.value]);
  });

  it('when the files cannot be read again, says why the weights could not be restored and rebuilds the variant', async () => {
    const first = await startReady('resnet18');
    const again = vi.fn(() => Promise.reject(new Error('x.pth was moved or deleted')));
    await loadXPth(first, again);

    const second = await faultOn(first, 'The GPU (WebGL) context was lost.');

    expect(again).toHaveBeenCalledOnce();
    // The variant the weights held, with seeded weights.
    expect(second.loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet34' }]);
    second.loads[0]!.answer.resolve(modelInfo('resnet34'));
    await flush();

    expect(second.loads).toHaveLength(1);
    expect(store.getState()).toMatchObject({
      variant: 'resnet34',
      modelStatus: 'ready',
      weights: { origin: 'random', name: 'random init (seed 42)' },
      activeModel: { what: 'ResNet34' },
      appError:
        'The GPU (WebGL) context was lost. The engine was restarted and the model reloaded, ' +
        'but the weights from x.pth could not be restored (x.pth was moved or deleted): load them again.',
    });
  });

  it('when the weights read again do not load on the new engine, says why and rebuilds the variant', async () => {
    const first = await startReady('resnet18');
    const again = vi.fn(async () => readXPth());
    await loadXPth(first, again);

    const second = await faultOn(first, 'The GPU (WebGL) context was lost.');
    expect(second.loads.map((l) => l.source)).toEqual([readXPth()]);
    second.loads[0]!.answer.reject(new Error('WebGL ran out of memory'));
    await flush();
    expect(second.loads.map((l) => l.source)).toEqual([readXPth(), { kind: 'random', variant: 'resnet34' }]);
    second.loads[1]!.answer.resolve(modelInfo('resnet34'));
    await flush();

    expect(store.getState()).toMatchObject({
      modelStatus: 'ready',
      weights: { origin: 'random' },
      appError:
        'The GPU (WebGL) context was lost. The engine was restarted and the model reloaded, but the weights ' +
        'from x.pth could not be restored (Could not load weights from x.pth: WebGL ran out of memory): load them again.',
    });
  });

  it('keeps the loaded weights across a backend change', async () => {
    const first = await startReady('resnet18');
    const again = vi.fn(async () => readXPth());
    await loadXPth(first, again);

    const restarting = store.getState().restartEngine('cpu');
    await flush();

    expect(first.engine.dispose).toHaveBeenCalledOnce();
    expect(client.startEngine).toHaveBeenLastCalledWith('cpu');
    expect(again).toHaveBeenCalledOnce();
    const second = engines[1]!;
    expect(second.loads.map((l) => l.source)).toEqual([await again.mock.results[0]!.value]);
    second.loads[0]!.answer.resolve(modelInfo('resnet34', { origin: 'file', name: 'x.pth' }));

    await expect(restarting).resolves.toBe('active');
    expect(store.getState()).toMatchObject({
      backendChoice: 'cpu',
      backend: { name: 'cpu', requested: 'cpu', thread: 'worker' },
      variant: 'resnet34',
      modelStatus: 'ready',
      weights: { origin: 'file', name: 'x.pth' },
      appError: null,
      activeModel: { what: 'weights from x.pth', source: again },
    });
  });

  it('after a fault, loads a seeded variant as the very source it was loaded from', async () => {
    const first = await startReady('resnet34');
    const seeded = first.loads[0]!.source;
    expect(seeded).toEqual({ kind: 'random', variant: 'resnet34' });
    expect(store.getState().activeModel).toMatchObject({ what: 'ResNet34' });

    const second = await faultOn(first, 'The inference worker stopped unexpectedly.');

    expect(second.loads).toHaveLength(1);
    expect(second.loads[0]!.source).toBe(seeded);
    second.loads[0]!.answer.resolve(modelInfo('resnet34'));
    await flush();
    expect(store.getState()).toMatchObject({
      modelStatus: 'ready',
      appError: 'The inference worker stopped unexpectedly. The engine was restarted and the model reloaded.',
    });
  });

  it('after a fault, loads the bundled ResNet50 as the very source it was loaded from, and says the model was reloaded', async () => {
    const first = await startReady('resnet50');
    const bundled = first.loads[0]!.source;
    expect(bundled).toEqual({ kind: 'bundled', variant: 'resnet50', modelUrl: RESNET50_URL });

    const second = await faultOn(first, 'The GPU (WebGL) context was lost.');

    expect(second.loads.map((l) => l.source)).toEqual([bundled]);
    expect(second.loads[0]!.source).toBe(bundled);
    second.loads[0]!.answer.resolve(modelInfo('resnet50'));
    await flush();
    expect(store.getState()).toMatchObject({
      variant: 'resnet50',
      modelStatus: 'ready',
      weights: { origin: 'bundled' },
      appError: 'The GPU (WebGL) context was lost. The engine was restarted and the model reloaded.',
    });
  });
});

describe('two quick restarts', () => {
  /** How `promise` has settled so far, without waiting for it (a leaked engine's load would never answer). */
  function track<T>(promise: Promise<T>): { settled: boolean; value?: T } {
    const state: { settled: boolean; value?: T } = { settled: false };
    void promise.then((value) => Object.assign(state, { settled: true, value }));
    return state;
  }

  it('dispose the engine of the superseded start when it starts first, and keep only the latest', async () => {
    const first = await startReady('resnet34');
    const starts = holdStarts();

    const older = track(store.getState().restartEngine('cpu'));
    const newer = track(store.getState().restartEngine('webgl'));
    await flush();
    expect(client.startEngine).toHaveBeenCalledTimes(3);
    const [, superseded, latest] = engines;

    starts[0]!.resolve();
    await flush();
    expect(superseded!.engine.dispose).toHaveBeenCalledOnce();
    expect(superseded!.engine.onFault).not.toHaveBeenCalled();
    expect(superseded!.loads).toHaveLength(0);
    expect(getEngine()).toBeNull();
    expect(older).toEqual({ settled: true, value: null });

    starts[1]!.resolve();
    await flush();
    expect(getEngine()).toBe(latest!.engine);
    expect(latest!.loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet34' }]);
    latest!.loads[0]!.answer.resolve(modelInfo('resnet34'));
    await flush();

    expect(newer).toEqual({ settled: true, value: 'active' });
    expect(first.engine.dispose).toHaveBeenCalledOnce();
    expect(latest!.engine.dispose).not.toHaveBeenCalled();
    expect(getEngine()).toBe(latest!.engine);
    expect(store.getState()).toMatchObject({
      backendChoice: 'webgl',
      backend: { name: 'webgl', requested: 'webgl', thread: 'worker' },
      modelStatus: 'ready',
      summary: { variant: 'resnet34' },
    });
  });

  it('dispose the engine of the superseded start when it starts last, and keep the latest current', async () => {
    await startReady('resnet34');
    const starts = holdStarts();

    const older = track(store.getState().restartEngine('cpu'));
    const newer = track(store.getState().restartEngine('webgl'));
    await flush();
    const [, superseded, latest] = engines;

    starts[1]!.resolve();
    await flush();
    expect(getEngine()).toBe(latest!.engine);
    starts[0]!.resolve();
    await flush();

    expect(superseded!.engine.dispose).toHaveBeenCalledOnce();
    expect(superseded!.engine.onFault).not.toHaveBeenCalled();
    expect(superseded!.loads).toHaveLength(0);
    expect(getEngine()).toBe(latest!.engine);
    expect(older).toEqual({ settled: true, value: null });
    latest!.loads[0]!.answer.resolve(modelInfo('resnet34'));
    await flush();

    expect(newer).toEqual({ settled: true, value: 'active' });
    expect(latest!.engine.dispose).not.toHaveBeenCalled();
    expect(store.getState()).toMatchObject({
      backend: { name: 'webgl', requested: 'webgl', thread: 'worker' },
      modelStatus: 'ready',
    });
  });
});

describe('dismissAppError', () => {
  it('clears the error banner', async () => {
    const fake = await startReady('resnet18');
    const switching = store.getState().switchVariant('resnet34');
    await flush();
    fake.loads[1]!.answer.reject(new Error('nope'));
    await switching;
    expect(store.getState().appError).not.toBeNull();

    store.getState().dismissAppError();

    expect(store.getState().appError).toBeNull();
  });
});

describe('a load in flight when the engine dies', () => {
  it('is loaded again on the new engine from its files, not dropped for the old model, and says so', async () => {
    const first = await startReady('resnet18');
    const again = vi.fn(async () => readXPth());
    const loading = store.getState().loadModel('weights from x.pth', readXPth(), { again });
    await flush();
    expect(first.loads).toHaveLength(2);

    // The worker dies while the weights load: the call in flight rejects, and the fault is reported.
    const { EngineFaultError } = await import('../client/engineClient');
    first.loads[1]!.answer.reject(new EngineFaultError('The inference worker stopped unexpectedly.'));
    const second = await faultOn(first, 'The inference worker stopped unexpectedly.');

    expect(again).toHaveBeenCalledOnce();
    expect(second.loads.map((l) => l.source)).toEqual([readXPth()]);
    second.loads[0]!.answer.resolve(modelInfo('resnet34', { origin: 'file', name: 'x.pth' }));
    await flush();
    await loading;

    expect(store.getState()).toMatchObject({
      variant: 'resnet34',
      modelStatus: 'ready',
      weights: { origin: 'file', name: 'x.pth' },
      appError:
        'The inference worker stopped unexpectedly. The engine was restarted and weights from x.pth loaded.',
    });
    expect(store.getState().activeModel).toEqual({ what: 'weights from x.pth', source: again });
  });

  it('that cannot be made again is named as lost, and the model that was active comes back', async () => {
    const first = await startReady('resnet18');
    void store.getState().loadModel('weights from y.pth', readXPth());
    await flush();

    const { EngineFaultError } = await import('../client/engineClient');
    first.loads[1]!.answer.reject(new EngineFaultError('The inference worker stopped unexpectedly.'));
    const second = await faultOn(first, 'The inference worker stopped unexpectedly.');
    expect(second.loads.map((l) => l.source)).toEqual([{ kind: 'random', variant: 'resnet18' }]);
    second.loads[0]!.answer.resolve(modelInfo('resnet18'));
    await flush();

    expect(store.getState()).toMatchObject({ variant: 'resnet18', modelStatus: 'ready' });
    expect(store.getState().appError).toBe(
      'The inference worker stopped unexpectedly. The engine was restarted, but weights from y.pth, which was loading, could not be loaded: load it again.',
    );
  });
});

describe('model handles', () => {
  it('the active model is named by the handle its load answered, and the one it replaced is released', async () => {
    const fake = await startReady('resnet18');
    const firstHandle = store.getState().modelHandle;
    expect(firstHandle).toBe(fake.loaded()[0]);

    const switching = store.getState().switchVariant('resnet34');
    await flush();
    const info = modelInfo('resnet34');
    fake.loads[1]!.answer.resolve(info);
    await switching;
    await flush();

    expect(store.getState().modelHandle).toBe(info.handle);
    expect(fake.released).toEqual([firstHandle]);
    expect(fake.loaded()).toEqual([info.handle]);
  });

  it('a load that a later one superseded is released when it answers, never made active', async () => {
    const fake = await startReady('resnet18');
    const { first, second, older, newer } = await switchTwice(fake);
    const newest = modelInfo('resnet50');
    newer!.answer.resolve(newest);
    await second;
    const stale = modelInfo('resnet34');
    older!.answer.resolve(stale);
    await first;
    await flush();

    expect(store.getState().modelHandle).toBe(newest.handle);
    expect(fake.released).toContain(stale.handle);
    expect(fake.loaded()).toEqual([newest.handle]);
  });

  it('a new engine starts with no handle: the restart loads the model anew under its own', async () => {
    const first = await startReady('resnet18');
    const second = await faultOn(first, 'The GPU (WebGL) context was lost.');
    expect(store.getState().modelHandle).toBeNull();
    const info = modelInfo('resnet18');
    second.loads[0]!.answer.resolve(info);
    await flush();
    expect(store.getState().modelHandle).toBe(info.handle);
  });
});

describe('the memory badge', () => {
  it("follows the current engine's memory events, and ignores those of an engine it replaced", async () => {
    const first = await startReady('resnet18');
    first.emit({ type: 'memory', memory: { numTensors: 11, numBytes: 1100 } });
    expect(store.getState().memory).toEqual({ numTensors: 11, numBytes: 1100 });

    const second = await faultOn(first, 'The GPU (WebGL) context was lost.');
    first.emit({ type: 'memory', memory: { numTensors: 99, numBytes: 9900 } });
    expect(store.getState().memory).not.toEqual({ numTensors: 99, numBytes: 9900 });
    second.emit({ type: 'memory', memory: { numTensors: 12, numBytes: 1200 } });
    expect(store.getState().memory).toEqual({ numTensors: 12, numBytes: 1200 });
  });
});
