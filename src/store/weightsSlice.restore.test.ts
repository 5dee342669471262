/**
 * Weights loaded from files, a URL or the cache come back on a new engine (after a fault or a backend change):
 * the weights slice tells the model slice how to read them again, since their buffers went to the old engine.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { StartedEngine } from '../client/engineClient';
import type { CachedWeights } from '../client/weightsCache';
import type { OnProgress } from '../shared/progress';
import type { BackendChoice, ModelSource, WeightsSource } from '../shared/protocol';
import type { NamedBuffer } from '../shared/weightsFormat';
import { fakeEngine, flush, modelInfo, started } from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { createAppStore } from './index';
import type { AppStore } from './index';

const client = vi.hoisted(() => ({
  startEngine: vi.fn<(backend: BackendChoice) => Promise<StartedEngine>>(),
  isBundledResNet50Installed: vi.fn<(modelUrl: string) => Promise<boolean>>(),
  cacheAvailable: vi.fn<() => boolean>(),
  listCachedWeights: vi.fn<() => Promise<CachedWeights[]>>(),
  putCachedWeights:
    vi.fn<(source: 'file' | 'url', name: string, files: { name: string; blob: Blob }[]) => Promise<void>>(),
  readCachedWeights: vi.fn<(id: string) => Promise<NamedBuffer[]>>(),
  deleteCachedWeights: vi.fn<(id: string) => Promise<void>>(),
  downloadWeights:
    vi.fn<(url: string, onProgress: OnProgress, signal: AbortSignal) => Promise<ArrayBuffer>>(),
}));

vi.mock('../client/modelSources', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../client/modelSources')>()),
  isBundledResNet50Installed: client.isBundledResNet50Installed,
}));
// cachedWeightsId stays the real one: the entry a restore reads is the one putCachedWeights wrote.
vi.mock('../client/weightsCache', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../client/weightsCache')>()),
  cacheAvailable: client.cacheAvailable,
  listCachedWeights: client.listCachedWeights,
  putCachedWeights: client.putCachedWeights,
  readCachedWeights: client.readCachedWeights,
  deleteCachedWeights: client.deleteCachedWeights,
}));
vi.mock('../client/weightsDownload', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../client/weightsDownload')>()),
  downloadWeights: client.downloadWeights,
}));

const URL_ = 'https://example.com/weights/resnet18.safetensors';
const ENTRY: CachedWeights = {
  id: 'file:resnet18.safetensors',
  name: 'resnet18.safetensors',
  source: 'file',
  bytes: 4,
  cachedAt: '2024-01-01T00:00:00.000Z',
  fileNames: ['resnet18.safetensors'],
};

const SEEDED: WeightsSource = { origin: 'random', name: 'random init (seed 42)' };

const bytes = (...values: number[]) => new Uint8Array(values).buffer;

/** The bytes of each file of a files source, to compare with what was read. */
function contents(source: ModelSource | undefined) {
  if (source?.kind !== 'files') throw new Error(`not a files source: ${JSON.stringify(source)}`);
  return source.files.map((f) => ({ name: f.name, bytes: [...new Uint8Array(f.data)] }));
}

let store: AppStore;
let engines: FakeEngine[];

beforeEach(async () => {
  vi.stubGlobal('window', { location: { href: 'http://127.0.0.1/' } });
  engines = [];
  client.startEngine.mockReset();
  client.startEngine.mockImplementation(async (backend) => {
    const fake = fakeEngine();
    engines.push(fake);
    return started(backend, fake);
  });
  client.isBundledResNet50Installed.mockReset().mockResolvedValue(false);
  client.cacheAvailable.mockReset().mockReturnValue(true);
  client.listCachedWeights.mockReset().mockResolvedValue([ENTRY]);
  client.putCachedWeights.mockReset().mockResolvedValue(undefined);
  client.readCachedWeights.mockReset();
  client.deleteCachedWeights.mockReset().mockResolvedValue(undefined);
  client.downloadWeights.mockReset();
  store = createAppStore({ startEngine: client.startEngine });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Starts the app with seeded ResNet18 ready; returns its engine. */
async function startReady(): Promise<FakeEngine> {
  const app = store.getState().startApp({ backend: 'wasm', variant: 'resnet18' });
  await flush();
  const fake = engines[0]!;
  fake.loads[0]!.answer.resolve(modelInfo('resnet18', SEEDED));
  await app;
  await flush();
  return fake;
}

/** Runs `loading` until its weights reach `fake`, answers with `weights`, and waits for it. */
async function answerLoad(fake: FakeEngine, loading: Promise<void>, weights: WeightsSource) {
  await flush();
  expect(fake.loads).toHaveLength(2);
  fake.loads[1]!.answer.resolve(modelInfo('resnet18', weights));
  await loading;
  expect(store.getState()).toMatchObject({ weights, appError: null });
}

/** The engine faults; returns the new engine, its one load waiting. */
async function fault(fake: FakeEngine, reason = 'The GPU (WebGL) context was lost.'): Promise<FakeEngine> {
  fake.fault(reason);
  await flush();
  expect(engines).toHaveLength(2);
  const second = engines[1]!;
  expect(second.loads).toHaveLength(1);
  return second;
}

describe('weights from files, after an engine fault', () => {
  it('are read again from the same File objects and loaded on the new engine', async () => {
    const first = await startReady();
    const file = new File([new Uint8Array([1, 2, 3, 4])], 'resnet18.pth');
    const read = vi.spyOn(file, 'arrayBuffer');
    await answerLoad(first, store.getState().loadWeightsFromFiles([file]), {
      origin: 'file',
      name: 'resnet18.pth',
    });
    expect(read).toHaveBeenCalledOnce();
    const loaded = first.loads[1]!.source;
    expect(loaded).toMatchObject({ kind: 'files', origin: 'file', name: 'resnet18.pth' });

    const second = await fault(first);

    expect(read).toHaveBeenCalledTimes(2);
    const restored = second.loads[0]!.source;
    expect(restored).toMatchObject({ kind: 'files', origin: 'file', name: 'resnet18.pth' });
    expect(contents(restored)).toEqual([{ name: 'resnet18.pth', bytes: [1, 2, 3, 4] }]);
    // A new read, not the buffer handed to the dead engine.
    expect(restored.kind === 'files' && loaded.kind === 'files' && restored.files[0]!.data).not.toBe(
      loaded.kind === 'files' && loaded.files[0]!.data,
    );
    second.loads[0]!.answer.resolve(modelInfo('resnet18', { origin: 'file', name: 'resnet18.pth' }));
    await flush();

    expect(store.getState()).toMatchObject({
      modelStatus: 'ready',
      weights: { origin: 'file', name: 'resnet18.pth' },
      appError:
        'The GPU (WebGL) context was lost. The engine was restarted and the weights from resnet18.pth restored.',
    });
  });

  it('reads every file of a TF.js model again, named by its model.json', async () => {
    const first = await startReady();
    const json = new File(['{"format":"layers-model"}'], 'model.json');
    const shard = new File([new Uint8Array([9, 8, 7])], 'group1-shard1of1.bin');
    await answerLoad(first, store.getState().loadWeightsFromFiles([json, shard]), {
      origin: 'file',
      name: 'model.json',
    });

    const second = await fault(first);

    expect(second.loads[0]!.source).toMatchObject({ kind: 'files', origin: 'file', name: 'model.json' });
    expect(contents(second.loads[0]!.source)).toEqual([
      { name: 'model.json', bytes: [...new TextEncoder().encode('{"format":"layers-model"}')] },
      { name: 'group1-shard1of1.bin', bytes: [9, 8, 7] },
    ]);
  });

  it('that can no longer be read: says so with the reason and rebuilds the variant', async () => {
    const first = await startReady();
    const file = new File([new Uint8Array([1, 2, 3, 4])], 'resnet18.pth');
    await answerLoad(first, store.getState().loadWeightsFromFiles([file]), {
      origin: 'file',
      name: 'resnet18.pth',
    });
    vi.spyOn(file, 'arrayBuffer').mockRejectedValue(new Error('resnet18.pth was moved or deleted'));

    const second = await fault(first);

    expect(second.loads[0]!.source).toEqual({ kind: 'random', variant: 'resnet18' });
    second.loads[0]!.answer.resolve(modelInfo('resnet18', SEEDED));
    await flush();
    expect(store.getState()).toMatchObject({
      modelStatus: 'ready',
      weights: SEEDED,
      appError:
        'The GPU (WebGL) context was lost. The engine was restarted and the model reloaded, but the weights ' +
        'from resnet18.pth could not be restored (resnet18.pth was moved or deleted): load them again.',
    });
  });
});

describe('weights from a URL, after an engine fault', () => {
  async function loadFromUrl(): Promise<FakeEngine> {
    const first = await startReady();
    client.downloadWeights.mockResolvedValueOnce(bytes(1, 2, 3, 4));
    await answerLoad(first, store.getState().loadWeightsFromUrl(URL_), { origin: 'url', name: URL_ });
    expect(client.downloadWeights).toHaveBeenCalledOnce();
    expect(client.putCachedWeights).toHaveBeenCalledExactlyOnceWith(
      'url',
      URL_,
      [{ name: 'resnet18.safetensors', blob: expect.any(Blob) }],
      'resnet18',
    );
    return first;
  }

  it('are restored from their cache entry, not downloaded again', async () => {
    const first = await loadFromUrl();
    client.readCachedWeights.mockResolvedValueOnce([
      { name: 'resnet18.safetensors', data: bytes(5, 6, 7, 8) },
    ]);

    const second = await fault(first);

    expect(client.readCachedWeights).toHaveBeenCalledExactlyOnceWith(`url:${URL_}`);
    expect(client.downloadWeights).toHaveBeenCalledOnce();
    expect(second.loads[0]!.source).toMatchObject({ kind: 'files', origin: 'url', name: URL_ });
    expect(contents(second.loads[0]!.source)).toEqual([
      { name: 'resnet18.safetensors', bytes: [5, 6, 7, 8] },
    ]);
    second.loads[0]!.answer.resolve(modelInfo('resnet18', { origin: 'url', name: URL_ }));
    await flush();
    expect(store.getState()).toMatchObject({
      weights: { origin: 'url', name: URL_ },
      appError: `The GPU (WebGL) context was lost. The engine was restarted and the weights from ${URL_} restored.`,
    });
  });

  it('are downloaded again when their cache entry cannot be read', async () => {
    const first = await loadFromUrl();
    client.readCachedWeights.mockRejectedValueOnce(new Error('These cached weights are gone.'));
    client.downloadWeights.mockResolvedValueOnce(bytes(5, 6, 7, 8));

    const second = await fault(first);

    expect(client.readCachedWeights).toHaveBeenCalledExactlyOnceWith(`url:${URL_}`);
    expect(client.downloadWeights).toHaveBeenCalledTimes(2);
    expect(client.downloadWeights).toHaveBeenLastCalledWith(
      URL_,
      expect.any(Function),
      expect.any(AbortSignal),
    );
    expect(second.loads[0]!.source).toMatchObject({ kind: 'files', origin: 'url', name: URL_ });
    expect(contents(second.loads[0]!.source)).toEqual([
      { name: 'resnet18.safetensors', bytes: [5, 6, 7, 8] },
    ]);
  });

  it('are downloaded again, without asking the cache, where there is no Cache Storage', async () => {
    const first = await startReady();
    client.cacheAvailable.mockReturnValue(false);
    client.downloadWeights.mockResolvedValueOnce(bytes(1, 2, 3, 4));
    await answerLoad(first, store.getState().loadWeightsFromUrl(URL_), { origin: 'url', name: URL_ });
    expect(client.putCachedWeights).not.toHaveBeenCalled();
    client.downloadWeights.mockResolvedValueOnce(bytes(5, 6, 7, 8));

    const second = await fault(first);

    expect(client.readCachedWeights).not.toHaveBeenCalled();
    expect(client.downloadWeights).toHaveBeenCalledTimes(2);
    expect(contents(second.loads[0]!.source)).toEqual([
      { name: 'resnet18.safetensors', bytes: [5, 6, 7, 8] },
    ]);
  });

  it('that can be neither read from the cache nor downloaded: says why and rebuilds the variant', async () => {
    const first = await loadFromUrl();
    client.readCachedWeights.mockRejectedValueOnce(new Error('These cached weights are gone.'));
    client.downloadWeights.mockRejectedValueOnce(new Error('The network is unreachable.'));

    const second = await fault(first);

    expect(second.loads[0]!.source).toEqual({ kind: 'random', variant: 'resnet18' });
    second.loads[0]!.answer.resolve(modelInfo('resnet18', SEEDED));
    await flush();
    expect(store.getState().appError).toBe(
      'The GPU (WebGL) context was lost. The engine was restarted and the model reloaded, but the weights ' +
        `from ${URL_} could not be restored (The network is unreachable.): load them again.`,
    );
  });
});

describe('weights from the cache, after an engine fault', () => {
  async function loadFromCache(): Promise<FakeEngine> {
    const first = await startReady();
    expect(store.getState().cachedWeights).toEqual([ENTRY]);
    client.readCachedWeights.mockResolvedValueOnce([
      { name: 'resnet18.safetensors', data: bytes(1, 2, 3, 4) },
    ]);
    await answerLoad(first, store.getState().loadCachedWeights(ENTRY.id), {
      origin: 'cache',
      name: ENTRY.name,
    });
    expect(client.readCachedWeights).toHaveBeenCalledExactlyOnceWith(ENTRY.id);
    // Loaded from the cache: nothing to write back.
    expect(client.putCachedWeights).not.toHaveBeenCalled();
    return first;
  }

  it('are read from the same cache entry again', async () => {
    const first = await loadFromCache();
    client.readCachedWeights.mockResolvedValueOnce([
      { name: 'resnet18.safetensors', data: bytes(1, 2, 3, 4) },
    ]);

    const second = await fault(first);

    expect(client.readCachedWeights).toHaveBeenCalledTimes(2);
    expect(client.readCachedWeights).toHaveBeenLastCalledWith(ENTRY.id);
    expect(second.loads[0]!.source).toMatchObject({ kind: 'files', origin: 'cache', name: ENTRY.name });
    expect(contents(second.loads[0]!.source)).toEqual([
      { name: 'resnet18.safetensors', bytes: [1, 2, 3, 4] },
    ]);
    second.loads[0]!.answer.resolve(modelInfo('resnet18', { origin: 'cache', name: ENTRY.name }));
    await flush();
    expect(store.getState()).toMatchObject({
      weights: { origin: 'cache', name: ENTRY.name },
      appError:
        'The GPU (WebGL) context was lost. The engine was restarted and the weights from resnet18.safetensors restored.',
    });
  });

  it('that the browser evicted: says so and rebuilds the variant', async () => {
    const first = await loadFromCache();
    client.readCachedWeights.mockRejectedValueOnce(
      new Error('These cached weights are gone (the browser may have evicted them).'),
    );

    const second = await fault(first);

    expect(second.loads[0]!.source).toEqual({ kind: 'random', variant: 'resnet18' });
    second.loads[0]!.answer.resolve(modelInfo('resnet18', SEEDED));
    await flush();
    expect(store.getState().appError).toBe(
      'The GPU (WebGL) context was lost. The engine was restarted and the model reloaded, but the weights from ' +
        'resnet18.safetensors could not be restored (These cached weights are gone (the browser may have evicted them).): load them again.',
    );
  });
});

describe('weights, across a backend change', () => {
  it('are read again and loaded on the engine of the new backend', async () => {
    const first = await startReady();
    const file = new File([new Uint8Array([1, 2, 3, 4])], 'resnet18.pth');
    await answerLoad(first, store.getState().loadWeightsFromFiles([file]), {
      origin: 'file',
      name: 'resnet18.pth',
    });

    const restarting = store.getState().restartEngine('cpu');
    await flush();
    const second = engines[1]!;
    expect(client.startEngine).toHaveBeenLastCalledWith('cpu');
    expect(contents(second.loads[0]!.source)).toEqual([{ name: 'resnet18.pth', bytes: [1, 2, 3, 4] }]);
    second.loads[0]!.answer.resolve(modelInfo('resnet18', { origin: 'file', name: 'resnet18.pth' }));

    await expect(restarting).resolves.toBe('active');
    expect(store.getState()).toMatchObject({
      backendChoice: 'cpu',
      weights: { origin: 'file', name: 'resnet18.pth' },
      appError: null,
    });
  });
});
