/**
 * Compare mode against the fake engine: runs are model-major and batched, Cancel stops between batches, turning
 * it off frees the slot, failures land in cells, and the numbers shown are shared/comparison's and accuracy's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { StartedEngine } from '../client/engineClient';
import { evaluate } from '../shared/accuracy';
import { allPairAgreements, meanMs } from '../shared/comparison';
import { IMAGES_PER_PASS } from '../shared/protocol';
import type { BackendChoice, ClassifyResult, EngineImage } from '../shared/protocol';
import { deferred, fakeBitmap, fakeEngine, flush, modelInfo, started, closed } from '../testing/fakeEngine';
import type { Deferred, FakeEngine } from '../testing/fakeEngine';
import type { CachedWeights } from '../client/weightsCache';
import type { VariantId } from '../shared/variants';
import type { NamedBuffer } from '../shared/weightsFormat';
import { createAppStore } from './index';
import type { AppStore } from './index';

const client = vi.hoisted(() => ({
  startEngine: vi.fn<(backend: BackendChoice) => Promise<StartedEngine>>(),
  isBundledResNet50Installed: vi.fn<(modelUrl: string) => Promise<boolean>>(),
  listCachedWeights: vi.fn<() => Promise<CachedWeights[]>>(),
  readCachedWeights: vi.fn<(id: string) => Promise<NamedBuffer[]>>(),
  recordCachedWeightsVariant: vi.fn<(id: string, variant: VariantId) => Promise<void>>(),
}));

vi.mock('../client/modelSources', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../client/modelSources')>()),
  isBundledResNet50Installed: client.isBundledResNet50Installed,
}));
vi.mock('../client/weightsCache', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../client/weightsCache')>()),
  listCachedWeights: client.listCachedWeights,
  readCachedWeights: client.readCachedWeights,
  recordCachedWeightsVariant: client.recordCachedWeightsVariant,
}));

let store: AppStore;
let fake: FakeEngine;
let rows: typeof import('./compareRows');
let models: typeof import('./compareModels');

beforeEach(async () => {
  vi.stubGlobal('window', { location: { href: 'http://127.0.0.1/' } });
  client.startEngine.mockReset();
  client.startEngine.mockImplementation(async (backend) => {
    // The active model names the class of each image: 0 for a.png, 1 for b.png, ... (its last character code).
    fake = fakeEngine({ classifyActive: (image) => answer(classOfActive(image), 3) });
    return started(backend, fake);
  });
  client.isBundledResNet50Installed.mockReset().mockResolvedValue(true);
  client.listCachedWeights.mockReset().mockResolvedValue([]);
  client.readCachedWeights.mockReset();
  client.recordCachedWeightsVariant.mockReset().mockResolvedValue(undefined);
  store = createAppStore({ startEngine: client.startEngine });
  rows = await import('./compareRows');
  models = await import('./compareModels');
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The active model's top-1 for an image: the index of its name's letter (a.png: 0, b.png: 1, ...). */
const imageNames = new Map<Blob, string>();
function classOfActive(image: EngineImage): number {
  return (imageNames.get(image.blob) ?? 'a').charCodeAt(0) - 'a'.charCodeAt(0);
}

function answer(classIndex: number, ms: number): ClassifyResult {
  return {
    ok: true,
    variant: 'resnet18',
    predictions: [classIndex, classIndex + 10, classIndex + 20].map((c, rank) => ({
      classIndex: c,
      label: `class ${c}`,
      synonyms: '',
      probability: 0.5 / (rank + 1),
    })),
    totalMs: ms,
    inferenceMs: ms,
    sourceWidth: 10,
    sourceHeight: 10,
  };
}

/** Starts the app with seeded ResNet18 active and ready. */
async function startReady(): Promise<void> {
  const app = store.getState().startApp({ backend: 'wasm', variant: 'resnet18' });
  await flush();
  fake.loads[0]!.answer.resolve(modelInfo('resnet18'));
  await app;
  await flush();
}

/** Adds images named `names` (each classified at once by the active model); returns their ids. */
async function addImages(...names: string[]): Promise<string[]> {
  const files = names.map((name) => new File([name], name, { type: 'image/png' }));
  files.forEach((file) => imageNames.set(file, file.name));
  const before = store.getState().images.length;
  store.getState().addImages(files);
  await settle();
  return store
    .getState()
    .images.slice(before)
    .map((i) => i.id);
}

/** Lets the queue and the comparison run as far as they can. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await flush();
}

const names = (count: number) =>
  Array.from({ length: count }, (_, i) => `${String.fromCharCode(97 + (i % 26))}${i}.png`);

/** Compare mode on with these models chosen (the active ResNet18 is chosen when it starts). */
async function compare(...others: string[]): Promise<void> {
  store.getState().setCompareMode(true);
  for (const id of others) store.getState().toggleComparedModel(id);
  await settle();
}

const state = () => store.getState();
const activeId = () => models.activeModelId(state());
const cell = (imageId: string, modelId: string) =>
  rows.cellOf(
    state().images.find((i) => i.id === imageId)!,
    modelId,
    activeId(),
    state().compareResults,
  );

describe('a comparison run', () => {
  it('is model-major and batched: each other model loads once and classifies every image, a batch at a time', async () => {
    await startReady();
    const ids = await addImages(...names(IMAGES_PER_PASS + 2));
    const batches = (modelId: string) => [
      { modelId, imageIds: ids.slice(0, IMAGES_PER_PASS) },
      { modelId, imageIds: ids.slice(IMAGES_PER_PASS) },
    ];

    await compare('resnet34', 'resnet50');

    expect(state().comparedIds).toEqual(['resnet18', 'resnet34', 'resnet50']);
    // The active model is not loaded again: its answers are the images' own.
    expect(fake.comparedLoads).toEqual(['resnet34', 'resnet50']);
    expect(fake.comparedSources).toEqual([
      { kind: 'random', variant: 'resnet34' },
      { kind: 'bundled', variant: 'resnet50', modelUrl: 'http://127.0.0.1/models/resnet50/model.json' },
    ]);
    expect(fake.comparedClassified).toEqual([...batches('resnet34'), ...batches('resnet50')]);
    for (const id of ids) {
      expect(cell(id, 'resnet34')).toMatchObject({ status: 'done', predictions: [{ classIndex: 0 }] });
      expect(cell(id, 'resnet50')).toMatchObject({ status: 'done', predictions: [{ classIndex: 1 }] });
      expect(cell(id, 'resnet18')).toMatchObject({ status: 'done', ms: 3 });
    }
    expect(state()).toMatchObject({ compareInFlight: null, compareLoading: null });
    // At most two models in memory: the active one and the last compared one (the first was released).
    expect(fake.comparedLoaded()).toEqual(['resnet50']);
    expect(fake.loaded()).toHaveLength(2);
  });

  it('runs images added later the same way, starting with the model already in the slot', async () => {
    await startReady();
    await addImages(...names(3));
    await compare('resnet34', 'resnet50');
    const before = fake.comparedClassified.length;

    const added = await addImages('x.png', 'y.png');

    expect(fake.comparedClassified.slice(before)).toEqual([
      { modelId: 'resnet50', imageIds: added },
      { modelId: 'resnet34', imageIds: added },
    ]);
    expect(fake.comparedLoads).toEqual(['resnet34', 'resnet50', 'resnet34']);
  });

  it('does not start with fewer than two models', async () => {
    await startReady();
    await addImages('a.png');
    await compare();
    expect(state().comparedIds).toEqual(['resnet18']);
    expect(fake.comparedLoads).toEqual([]);
  });
});

describe('cancel', () => {
  it('stops between batches: the batch with the engine finishes, the rest are marked cancelled until resumed', async () => {
    await startReady();
    const ids = await addImages(...names(20));
    const gates: Deferred<void>[] = [];
    const answerNow = fake.engine.classify.getMockImplementation()!;
    fake.engine.classify.mockImplementation(async (handle, images, k) => {
      if (fake.comparedName(handle) === null) return answerNow(handle, images, k);
      const gate = deferred<void>();
      gates.push(gate);
      await gate.promise;
      return answerNow(handle, images, k);
    });
    await compare('resnet34');
    expect(gates).toHaveLength(1);
    expect(state().compareInFlight).toEqual({
      modelId: 'resnet34',
      imageIds: ids.slice(0, IMAGES_PER_PASS),
    });

    state().cancelComparison();
    gates[0]!.resolve();
    await settle();

    expect(gates).toHaveLength(1);
    expect(fake.comparedClassified).toEqual([
      { modelId: 'resnet34', imageIds: ids.slice(0, IMAGES_PER_PASS) },
    ]);
    for (const id of ids.slice(0, IMAGES_PER_PASS)) expect(cell(id, 'resnet34')?.status).toBe('done');
    for (const id of ids.slice(IMAGES_PER_PASS)) {
      expect(cell(id, 'resnet34')).toEqual({
        status: 'error',
        message: 'Cancelled before this model classified it.',
        cancelled: true,
      });
    }

    state().resumeComparison();
    const resumedBatches: { modelId: string; imageIds: string[] }[] = [];
    for (let start = IMAGES_PER_PASS; start < ids.length; start += IMAGES_PER_PASS) {
      await settle();
      gates[resumedBatches.length + 1]!.resolve();
      resumedBatches.push({ modelId: 'resnet34', imageIds: ids.slice(start, start + IMAGES_PER_PASS) });
    }
    await settle();
    expect(fake.comparedClassified.slice(1)).toEqual(resumedBatches);
    for (const id of ids) expect(cell(id, 'resnet34')?.status).toBe('done');
  });
});

describe('turning compare mode off', () => {
  it('frees the compare slot and forgets the answers', async () => {
    await startReady();
    await addImages('a.png', 'b.png');
    await compare('resnet34');
    expect(fake.comparedLoaded()).toEqual(['resnet34']);

    state().setCompareMode(false);
    await settle();

    expect(fake.engine.release).toHaveBeenCalledOnce();
    expect(fake.comparedLoaded()).toEqual([]);
    expect(state()).toMatchObject({ compareMode: false, compareResults: {} });
  });

  it('waits for the batch with the engine before freeing the slot', async () => {
    await startReady();
    await addImages('a.png');
    const gate = deferred<void>();
    const answerNow = fake.engine.classify.getMockImplementation()!;
    fake.engine.classify.mockImplementation(async (handle, images, k) => {
      if (fake.comparedName(handle) !== null) await gate.promise;
      return answerNow(handle, images, k);
    });
    await compare('resnet34');

    state().setCompareMode(false);
    await settle();
    expect(fake.engine.release).not.toHaveBeenCalled();

    gate.resolve();
    await settle();
    expect(fake.engine.release).toHaveBeenCalledOnce();
    expect(fake.comparedLoaded()).toEqual([]);
    expect(state().compareResults).toEqual({});
  });
});

describe('the summary', () => {
  it('is shared/comparison on the rows as shown', async () => {
    await startReady();
    // The active ResNet18 says class 0 for a*.png and 1 for b*.png; ResNet34 always 0 (the fake's first load).
    await addImages('a1.png', 'b1.png', 'a2.png', 'b2.png');
    await compare('resnet34');
    const s = state();

    const shown = rows.comparisonRows(s.images, s.comparedIds, activeId(), s.compareResults, s.topK);

    expect(shown.map((r) => r.answers.map((a) => [a.modelId, a.predictions[0]?.classIndex, a.ms]))).toEqual([
      [
        ['resnet18', 0, 3],
        ['resnet34', 0, 1],
      ],
      [
        ['resnet18', 1, 3],
        ['resnet34', 0, 1],
      ],
      [
        ['resnet18', 0, 3],
        ['resnet34', 0, 1],
      ],
      [
        ['resnet18', 1, 3],
        ['resnet34', 0, 1],
      ],
    ]);
    expect(allPairAgreements(shown, s.comparedIds)).toEqual([
      { modelA: 'resnet18', modelB: 'resnet34', top1Agreement: 0.5, top5Overlap: 0.5, n: 4 },
    ]);
    expect(meanMs(shown, 'resnet18')).toBe(3);
    expect(meanMs(shown, 'resnet34')).toBe(1);
  });

  it('cuts each answer to the k shown', async () => {
    await startReady();
    await addImages('a.png');
    await compare('resnet34');
    state().setTopK(1);
    const s = state();
    const shown = rows.comparisonRows(s.images, s.comparedIds, activeId(), s.compareResults, 1);
    expect(shown[0]!.answers.map((a) => a.predictions.length)).toEqual([1, 1]);
  });
});

describe('the models on offer', () => {
  it('include the seeded variants, ResNet50 when installed, and the active weights, also once replaced', async () => {
    await startReady();
    const file = new File([new Uint8Array([1, 2, 3, 4])], 'my weights.safetensors');
    const loading = state().loadWeightsFromFiles([file]);
    await flush();
    fake.loads[1]!.answer.resolve(modelInfo('resnet34', { origin: 'file', name: 'my weights.safetensors' }));
    await loading;
    await settle();

    const offered = () => models.compareCandidates(state()).map((m) => [m.id, m.label]);
    expect(offered()).toEqual([
      ['resnet18', 'ResNet18 (seeded, untrained)'],
      ['resnet34', 'ResNet34 (seeded, untrained)'],
      ['resnet50', 'ResNet50 (ImageNet-trained)'],
      ['resnet34:my-weights.safetensors', 'ResNet34, my-weights.safetensors'],
    ]);
    expect(activeId()).toBe('resnet34:my-weights.safetensors');

    // Replaced by seeded ResNet18, the weights are still on offer, and load into the slot from the same file.
    const switching = state().switchVariant('resnet18');
    await flush();
    fake.loads[2]!.answer.resolve(modelInfo('resnet18'));
    await switching;
    expect(offered()).toContainEqual(['resnet34:my-weights.safetensors', 'ResNet34, my-weights.safetensors']);
    await addImages('a.png');
    await compare('resnet34:my-weights.safetensors');

    expect(fake.comparedLoads).toEqual(['files:my weights.safetensors']);
    const source = fake.comparedSources[0]!;
    expect(source).toMatchObject({ kind: 'files', origin: 'file', name: 'my weights.safetensors' });
    expect(source.kind === 'files' && [...new Uint8Array(source.files[0]!.data)]).toEqual([1, 2, 3, 4]);
  });

  it('are started from a shared link once the model it opens on is ready', async () => {
    state().setRequestedCompare(['resnet18', 'resnet50']);
    await startReady();
    await addImages('a.png');
    expect(state()).toMatchObject({
      compareMode: true,
      comparedIds: ['resnet18', 'resnet50'],
      requestedCompare: [],
    });
    expect(fake.comparedLoads).toEqual(['resnet50']);
  });
});

describe('cached weights', () => {
  const entry = (variant?: VariantId): CachedWeights => ({
    id: 'url:https://huggingface.co/timm/resnet34.tv_in1k/resolve/main/model.safetensors',
    name: 'https://huggingface.co/timm/resnet34.tv_in1k/resolve/main/model.safetensors',
    source: 'url',
    bytes: 4,
    cachedAt: '2024-01-01T00:00:00.000Z',
    fileNames: ['model.safetensors'],
    ...(variant ? { variant } : {}),
  });
  const files = () => [{ name: 'model.safetensors', data: new Uint8Array([9, 9]).buffer }];

  it('are offered under their variant, and load into the slot from the cache', async () => {
    client.listCachedWeights.mockResolvedValue([entry('resnet34')]);
    client.readCachedWeights.mockImplementation(async () => files());
    await startReady();
    expect(models.compareCandidates(state()).map((m) => m.id)).toContain('resnet34:resnet34.tv_in1k');
    await addImages('a.png');

    await compare('resnet34:resnet34.tv_in1k');

    expect(client.readCachedWeights).toHaveBeenCalledExactlyOnceWith(entry().id);
    expect(fake.comparedSources[0]).toMatchObject({
      kind: 'files',
      origin: 'cache',
      name: entry().name,
    });
    expect(cell(state().images[0]!.id, 'resnet34:resnet34.tv_in1k')?.status).toBe('done');
  });

  it('without a recorded variant are loaded once to learn it, then chosen under their id', async () => {
    client.listCachedWeights.mockResolvedValue([entry()]);
    client.readCachedWeights.mockImplementation(async () => files());
    await startReady();
    expect(models.unidentifiedCachedWeights(state()).map((e) => e.id)).toEqual([entry().id]);
    store.getState().setCompareMode(true);
    fake.engine.load.mockImplementationOnce(async () => modelInfo('resnet34'));
    client.listCachedWeights.mockResolvedValue([entry('resnet34')]);

    await state().identifyCachedWeights(entry().id);

    expect(client.recordCachedWeightsVariant).toHaveBeenCalledExactlyOnceWith(entry().id, 'resnet34');
    expect(models.unidentifiedCachedWeights(state())).toEqual([]);
    expect(state().comparedIds).toEqual(['resnet18', 'resnet34:resnet34.tv_in1k']);
    expect(state().identifyingWeights).toBeNull();
  });
});

describe('failures', () => {
  it('land in the cells: a model that cannot load, an image it cannot read, a batch that fails', async () => {
    await startReady();
    const ids = await addImages('a.png', 'b.png', 'c.png');
    const answerNow = fake.engine.classify.getMockImplementation()!;
    const loadNow = fake.engine.load.getMockImplementation()!;
    let comparedLoads = 0;
    fake.engine.load.mockImplementation(async (source, job) =>
      ++comparedLoads === 1 ? Promise.reject(new Error('out of memory')) : loadNow(source, job),
    );
    let comparedBatches = 0;
    fake.engine.classify.mockImplementation(async (handle, images, k) => {
      if (fake.comparedName(handle) === null) return answerNow(handle, images, k);
      comparedBatches++;
      if (comparedBatches === 2) throw new Error('kernel failed');
      const results = await answerNow(handle, images, k);
      if (comparedBatches === 1) results[1] = { ok: false, code: 'undecodable', message: 'Not an image.' };
      return results;
    });

    await compare('resnet34', 'resnet50', 'resnet34:gone.pth');

    for (const id of ids) {
      expect(cell(id, 'resnet34')).toEqual({
        status: 'error',
        message: 'Could not load ResNet34 (seeded, untrained): out of memory',
        cancelled: false,
      });
    }
    expect(cell(ids[0]!, 'resnet50')?.status).toBe('done');
    expect(cell(ids[1]!, 'resnet50')).toEqual({
      status: 'error',
      message: 'Not an image.',
      cancelled: false,
    });
    expect(cell(ids[2]!, 'resnet50')?.status).toBe('done');
    // A model chosen by id that this browser does not have (a link naming weights never loaded here).
    expect(cell(ids[0]!, 'resnet34:gone.pth')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/not available/),
    });
    expect(state().appError).toBeNull();

    // A later batch that fails as a whole fails its images only.
    const added = await addImages('d.png');
    expect(cell(added[0]!, 'resnet50')).toEqual({
      status: 'error',
      message: 'Classification failed: kernel failed',
      cancelled: false,
    });
  });
});

describe('Look inside in compare mode', () => {
  it("shows the inspector for the active model and every other compared model's CAM", async () => {
    await startReady();
    const [id] = await addImages('a.png');
    await compare('resnet34', 'resnet50');
    const bitmaps = [fakeBitmap(), fakeBitmap()];
    fake.engine.cam.mockImplementation(async () => ({
      cam: { classIndex: 7, bitmap: bitmaps[fake.engine.cam.mock.calls.length - 1]! },
      predictions: [{ classIndex: 7, label: 'class 7', synonyms: '', probability: 0.4 }],
    }));

    const inspecting = state().inspectCompared(id!);
    await settle();

    expect(fake.engine.inspect).toHaveBeenCalledOnce();
    // The model already in the slot (the run's last) first: one load saved.
    expect(fake.comparedLoads).toEqual(['resnet34', 'resnet50', 'resnet34']);
    expect(state().comparedCams).toMatchObject({
      imageId: id,
      cams: {
        resnet50: { status: 'ready', cam: { classIndex: 7, bitmap: bitmaps[0] } },
        resnet34: { status: 'ready', cam: { classIndex: 7, bitmap: bitmaps[1] } },
      },
    });
    fake.inspects[0]!.answer.reject(new Error('not needed here'));
    await inspecting;

    state().closeComparedCams();
    expect(state().comparedCams).toBeNull();
    expect(bitmaps.every(closed)).toBe(true);
  });
});

describe('accuracy on a labeled folder', () => {
  it('scores each model on the images whose folder names a class', async () => {
    await startReady();
    const file = (name: string) => {
      const f = new File([name], name.split('/').pop()!);
      imageNames.set(f, name.split('/').pop()!);
      return { file: f, name: name.split('/').pop()!, relativePath: name };
    };
    // tench is class 0, goldfish 1; a.png gets class 0 and b.png class 1 from the active model.
    state().addImages([file('photos/tench/a.png'), file('photos/goldfish/a.png'), file('photos/misc/b.png')]);
    await settle();
    await compare('resnet34');
    const s = state();
    expect(rows.hasFolderLabels(s.images)).toBe(true);

    const active = evaluate(rows.scoredItems(s.images, 'resnet18', activeId(), s.compareResults));
    expect(active).toMatchObject({ n: 2, unlabeled: 1, top1Correct: 1, top1: 0.5 });
    expect(active.misclassified).toEqual([{ fileName: 'a.png', trueIndex: 1, predictedIndex: 0 }]);
  });
});
