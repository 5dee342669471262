/**
 * Compare mode: every image classified by two to four models side by side. The active model's answers are the
 * images' own; each other model takes the engine's compare slot in turn and classifies every waiting image in
 * batches (model-major: one load per model, not per image), with progress, Cancel between batches, errors in the
 * cells, and the class activation maps of all compared models for one image.
 */
import { CLASSIFY_BATCH_SIZE } from '../client/classificationQueue';
import { EngineFaultError, EngineRetiredError } from '../client/engineClient';
import { readCachedWeights, recordCachedWeightsVariant } from '../client/weightsCache';
import { modelIdFor } from '../shared/modelIds';
import { MAX_COMPARED, MIN_COMPARED } from '../shared/permalink';
import { MAX_TOP_K } from '../shared/predictions';
import type { Prediction } from '../shared/predictions';
import type { Progress } from '../shared/progress';
import type { CamRender, ClassifyResult, EngineApi } from '../shared/protocol';
import { SerialQueue } from '../shared/serialQueue';
import { activeCompareModel, activeModelId, compareCandidates, compareModelLabel } from './compareModels';
import type { CompareModel } from './compareModels';
import type { CompareCell, CompareResults } from './compareRows';
import { getEngine } from './engineRef';
import type { ImageItem } from './imagesSlice';
import type { AppState, SliceCreator } from './types';

/** One compared model's class activation map of the image Look inside opened. */
export type ComparedCam =
  | { status: 'loading' }
  | { status: 'ready'; cam: CamRender; predictions: Prediction[] }
  | { status: 'error'; message: string };

export interface CompareSlice {
  compareMode: boolean;
  /** The models chosen, in the order they were ticked; compared once there are MIN_COMPARED of them. */
  comparedIds: string[];
  /** Models that were active earlier in this session with loaded weights: still offered once replaced. */
  sessionModels: CompareModel[];
  /** The answers of the models run in the compare slot (the active model's are the images' own). */
  compareResults: CompareResults;
  /** The batch with the engine now. */
  compareInFlight: { modelId: string; imageIds: string[] } | null;
  /** A compared model being loaded into the slot, with the load's progress. */
  compareLoading: { modelId: string; progress: Progress } | null;
  /** Rows where the models disagree on the top-1 are listed first. */
  disagreementsFirst: boolean;
  /** Look inside in compare mode: each compared model's CAM of one image (the active model's is the inspector's). */
  comparedCams: { imageId: string; cams: Readonly<Record<string, ComparedCam>> } | null;
  /** The cached entry whose variant is being found out by loading it. */
  identifyingWeights: string | null;
  /** On: starts comparing the chosen models (the active one is chosen to begin with). Off: frees the slot. */
  setCompareMode: (on: boolean) => void;
  toggleComparedModel: (modelId: string) => void;
  setDisagreementsFirst: (on: boolean) => void;
  /** Stops after the batch with the engine now; the images not reached are marked cancelled. */
  cancelComparison: () => void;
  /** Runs the cancelled ones after all. */
  resumeComparison: () => void;
  /** Loads cached weights of unknown variant to learn it, records it, then chooses them. */
  identifyCachedWeights: (cacheId: string) => Promise<void>;
  /** Look inside one image with every compared model: the inspector for the active one, CAMs for the others. */
  inspectCompared: (imageId: string) => Promise<void>;
  closeComparedCams: () => void;
}

/**
 * Images per compared pass: the queue's, so that the active model's times (from the queue) and the others' (from
 * these passes) are per-image shares of equal batches, and their mean times compare like with like.
 */
export const COMPARE_BATCH_SIZE = CLASSIFY_BATCH_SIZE;

const CANCELLED_MESSAGE = 'Cancelled before this model classified it.';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The engine went away mid-call (fault or replacement): the work is redone on the next one, not failed. */
const engineGone = (err: unknown) => err instanceof EngineFaultError || err instanceof EngineRetiredError;

function closeCams(cams: CompareSlice['comparedCams']): void {
  for (const cam of Object.values(cams?.cams ?? {})) if (cam.status === 'ready') cam.cam.bitmap.close();
}

/** The results with `cells` set for `modelId`; images no longer shown are not brought back. */
function withCells(
  results: CompareResults,
  modelId: string,
  cells: ReadonlyMap<string, CompareCell>,
  images: readonly ImageItem[],
): CompareResults {
  const next: Record<string, Readonly<Record<string, CompareCell>>> = { ...results };
  for (const image of images) {
    const cell = cells.get(image.id);
    if (cell) next[image.id] = { ...next[image.id], [modelId]: cell };
  }
  return next;
}

function cellFromResult(result: ClassifyResult): CompareCell {
  return result.ok
    ? { status: 'done', predictions: result.predictions, ms: result.totalMs }
    : { status: 'error', message: result.message, cancelled: result.code === 'cancelled' };
}

export const createCompareSlice: SliceCreator<CompareSlice> = (set, get, store) => {
  /** Everything that uses the compare slot (runs, CAMs, identifying weights), one at a time. */
  const slotLane = new SerialQueue();
  /** What the store put in the slot, and on which engine (a new engine starts with an empty slot). */
  let slot: { engine: EngineApi; modelId: string } | null = null;
  let draining: Promise<void> | null = null;
  let camToken = 0;

  const chosenModels = (s: AppState): { model: CompareModel | null; id: string }[] => {
    const candidates = compareCandidates(s);
    return s.comparedIds.map((id) => ({ id, model: candidates.find((c) => c.id === id) ?? null }));
  };

  /** The images still waiting for `modelId` (not answered, not failed, not cancelled, not with the engine now). */
  const waitingFor = (s: AppState, modelId: string): ImageItem[] => {
    const inFlight = s.compareInFlight?.modelId === modelId ? new Set(s.compareInFlight.imageIds) : null;
    return s.images.filter((image) => !s.compareResults[image.id]?.[modelId] && !inFlight?.has(image.id));
  };

  const settle = (modelId: string, cells: ReadonlyMap<string, CompareCell>, patch: Partial<AppState> = {}) =>
    set({ compareResults: withCells(get().compareResults, modelId, cells, get().images), ...patch });

  const failWaiting = (modelId: string, message: string) =>
    settle(
      modelId,
      new Map(
        waitingFor(get(), modelId).map((image) => [image.id, { status: 'error', message, cancelled: false }]),
      ),
    );

  const refreshMemory = (engine: EngineApi | null) => {
    void engine?.memory().then(
      (m) => get().setMemory(m),
      () => undefined,
    );
  };

  /**
   * Puts `model` in the slot unless it is there. On failure the reason comes back (`gone`: the engine itself went
   * away, so nothing is the model's fault).
   */
  async function loadIntoSlot(
    engine: EngineApi,
    model: CompareModel,
  ): Promise<{ ok: true } | { ok: false; gone: boolean; message: string }> {
    if (slot?.engine === engine && slot.modelId === model.id) return { ok: true };
    set({ compareLoading: { modelId: model.id, progress: { fraction: 0, message: 'Starting' } } });
    try {
      const source = await model.source();
      const info = await engine.loadCompared(model.id, source, (progress) => {
        if (get().compareLoading?.modelId === model.id)
          set({ compareLoading: { modelId: model.id, progress } });
      });
      slot = { engine, modelId: model.id };
      get().setMemory(info.memory);
      return { ok: true };
    } catch (err) {
      // The engine empties the slot before it loads: whatever was there is gone too.
      slot = null;
      return {
        ok: false,
        gone: engineGone(err),
        message: `Could not load ${model.label}: ${errorText(err)}`,
      };
    } finally {
      set({ compareLoading: null });
    }
  }

  /**
   * One step of a run: the next batch of the next model. The model in the slot goes on while it has images
   * waiting, so a run loads each model once and images added meanwhile join the current model's batches. False
   * when there is nothing (more) to do now.
   */
  async function step(): Promise<boolean> {
    const s = get();
    const engine = getEngine();
    if (!s.compareMode || !engine || s.modelStatus !== 'ready' || s.comparedIds.length < MIN_COMPARED) {
      return false;
    }
    const activeId = activeModelId(s);
    const others = chosenModels(s).filter(({ id }) => id !== activeId && waitingFor(s, id).length > 0);
    const inSlot = slot?.engine === engine ? slot.modelId : null;
    const next = others.find(({ id }) => id === inSlot) ?? others[0];
    if (!next) return false;
    if (!next.model) {
      failWaiting(
        next.id,
        `${next.id} is not available in this browser: load its weights, then choose it again.`,
      );
      return true;
    }
    const loaded = await loadIntoSlot(engine, next.model);
    if (!loaded.ok) {
      if (loaded.gone) return false; // the new engine's ready state starts the run again
      failWaiting(next.id, loaded.message);
      return true;
    }
    const batch = waitingFor(get(), next.id).slice(0, COMPARE_BATCH_SIZE);
    if (batch.length === 0 || !get().compareMode) return true;
    set({ compareInFlight: { modelId: next.id, imageIds: batch.map((image) => image.id) } });
    try {
      const results = await engine.classifyCompared(
        batch.map((image) => ({ id: image.id, blob: image.file })),
        MAX_TOP_K,
      );
      const last = results.at(-1);
      if (last) get().setMemory(last.memory);
      if (!get().compareMode) return false;
      settle(next.id, new Map(batch.map((image, i) => [image.id, cellFromResult(results[i]!)])), {
        compareInFlight: null,
      });
      return true;
    } catch (err) {
      if (engineGone(err)) {
        slot = null;
        set({ compareInFlight: null });
        return false;
      }
      const message = `Classification failed: ${errorText(err)}`;
      settle(
        next.id,
        new Map(batch.map((image) => [image.id, { status: 'error', message, cancelled: false }])),
        {
          compareInFlight: null,
        },
      );
      return true;
    }
  }

  /** Whether a step would find work: the same test `step` starts with, without doing anything. */
  function hasWork(): boolean {
    const s = get();
    if (!s.compareMode || !getEngine() || s.modelStatus !== 'ready' || s.comparedIds.length < MIN_COMPARED) {
      return false;
    }
    const activeId = activeModelId(s);
    return s.comparedIds.some((id) => id !== activeId && waitingFor(s, id).length > 0);
  }

  async function drain(): Promise<void> {
    // Never finish synchronously: `draining` must be set before the `finally` below clears it.
    await Promise.resolve();
    try {
      // Each step is its own turn in the lane, so a CAM or an identification asked for meanwhile goes between.
      while (await slotLane.run(step));
    } finally {
      set({ compareInFlight: null });
      draining = null;
      // The badge's tensor count after a run: the models' own, if nothing leaked.
      refreshMemory(getEngine());
      // Work that arrived after the last look (images added as the loop ended) starts a new loop.
      if (hasWork()) pump();
    }
  }

  function pump(): void {
    draining ??= drain();
  }

  /** Frees the slot once compare mode is off (after the step with the engine now). */
  function releaseSlot(): void {
    void slotLane.run(async () => {
      const engine = getEngine();
      if (get().compareMode || !engine) return;
      slot = null;
      try {
        await engine.releaseCompared();
      } catch {
        // A dead engine holds nothing any more.
      }
      refreshMemory(engine);
    });
  }

  /** Remembers the active model's loaded weights, so they stay on offer after other weights replace them. */
  function rememberActiveModel(s: AppState): void {
    const model = activeCompareModel(s);
    if (!model) return;
    const others = s.sessionModels.filter((m) => m.id !== model.id);
    set({ sessionModels: [...others, model] });
  }

  function startComparing(ids: readonly string[]): void {
    if (get().compareMode && ids.length === 0) return;
    const activeId = activeModelId(get());
    const chosen = ids.length > 0 ? ids : activeId ? [activeId] : [];
    set({ compareMode: true, comparedIds: [...new Set(chosen)].slice(0, MAX_COMPARED) });
    pump();
  }

  store.subscribe((state, prev) => {
    if (state.activeModel !== prev.activeModel || state.weights !== prev.weights) rememberActiveModel(state);
    // A shared link's models, once the model it opens on is ready (compare mode names the active one by it).
    if (state.requestedCompare.length >= MIN_COMPARED && state.modelStatus === 'ready') {
      const ids = state.requestedCompare;
      state.setRequestedCompare([]);
      startComparing(ids);
      return;
    }
    if (!state.compareMode) return;
    if (state.images !== prev.images) {
      const shown = new Set(state.images.map((image) => image.id));
      if (Object.keys(state.compareResults).some((id) => !shown.has(id))) {
        set({
          compareResults: Object.fromEntries(
            Object.entries(state.compareResults).filter(([id]) => shown.has(id)),
          ),
        });
      }
      if (state.comparedCams && !shown.has(state.comparedCams.imageId)) get().closeComparedCams();
    }
    if (
      state.images !== prev.images ||
      state.comparedIds !== prev.comparedIds ||
      state.modelStatus !== prev.modelStatus ||
      state.summary !== prev.summary ||
      state.weights !== prev.weights
    ) {
      pump();
    }
  });

  /** The CAM of `model` for the image, in its turn in the slot; applied only if still asked for. */
  async function camOf(model: CompareModel, image: ImageItem, token: number): Promise<void> {
    const show = (cam: ComparedCam) => {
      const current = get().comparedCams;
      if (token !== camToken || !current) return false;
      set({ comparedCams: { ...current, cams: { ...current.cams, [model.id]: cam } } });
      return true;
    };
    try {
      await slotLane.run(async () => {
        const engine = getEngine();
        if (token !== camToken) return;
        if (!engine) throw new Error('No engine is running.');
        const loaded = await loadIntoSlot(engine, model);
        if (!loaded.ok) throw new Error(loaded.message);
        const { cam, predictions, memory } = await engine.camCompared({ id: image.id, blob: image.file });
        get().setMemory(memory);
        if (!show({ status: 'ready', cam, predictions })) cam.bitmap.close();
      });
    } catch (err) {
      show({ status: 'error', message: errorText(err) });
    }
  }

  return {
    compareMode: false,
    comparedIds: [],
    sessionModels: [],
    compareResults: {},
    compareInFlight: null,
    compareLoading: null,
    disagreementsFirst: false,
    comparedCams: null,
    identifyingWeights: null,

    setCompareMode: (on) => {
      if (on === get().compareMode) return;
      if (on) {
        startComparing(get().comparedIds);
        return;
      }
      get().closeComparedCams();
      set({ compareMode: false, compareResults: {}, compareLoading: null });
      releaseSlot();
    },

    toggleComparedModel: (modelId) => {
      const ids = get().comparedIds;
      if (ids.includes(modelId)) set({ comparedIds: ids.filter((id) => id !== modelId) });
      else if (ids.length < MAX_COMPARED) set({ comparedIds: [...ids, modelId] });
    },

    setDisagreementsFirst: (disagreementsFirst) => set({ disagreementsFirst }),

    cancelComparison: () => {
      const s = get();
      const activeId = activeModelId(s);
      let results = s.compareResults;
      for (const id of s.comparedIds) {
        if (id === activeId) continue;
        const cancelled = new Map<string, CompareCell>(
          waitingFor(s, id).map((image) => [
            image.id,
            { status: 'error', message: CANCELLED_MESSAGE, cancelled: true },
          ]),
        );
        results = withCells(results, id, cancelled, s.images);
      }
      set({ compareResults: results });
      // The active model's column is the classification queue's: it stops too.
      if (activeId && s.comparedIds.includes(activeId)) s.cancelQueue();
    },

    resumeComparison: () => {
      const results = Object.fromEntries(
        Object.entries(get().compareResults).map(([imageId, cells]) => [
          imageId,
          Object.fromEntries(
            Object.entries(cells).filter(([, cell]) => !(cell.status === 'error' && cell.cancelled)),
          ),
        ]),
      );
      set({ compareResults: results });
      pump();
    },

    identifyCachedWeights: async (cacheId) => {
      const entry = get().cachedWeights.find((e) => e.id === cacheId);
      if (!entry || get().identifyingWeights) return;
      set({ identifyingWeights: cacheId });
      try {
        const variant = await slotLane.run(async () => {
          const engine = getEngine();
          if (!engine) throw new Error('No engine is running.');
          const files = await readCachedWeights(cacheId);
          // Loaded under the entry's own name: its model id needs the variant this load finds out.
          slot = null;
          const info = await engine.loadCompared(
            `cache:${cacheId}`,
            { kind: 'files', origin: 'cache', name: entry.name, files },
            () => undefined,
          );
          get().setMemory(info.memory);
          return info.summary.variant;
        });
        await recordCachedWeightsVariant(cacheId, variant);
        await get().refreshCachedWeights();
        const id = modelIdFor(variant, { origin: 'cache', name: entry.name });
        if (!get().comparedIds.includes(id)) get().toggleComparedModel(id);
      } catch (err) {
        set({ appError: `Could not load ${entry.name}: ${errorText(err)}` });
      } finally {
        set({ identifyingWeights: null });
      }
    },

    inspectCompared: async (imageId) => {
      const s = get();
      const image = s.images.find((i) => i.id === imageId);
      if (!image) return;
      const token = ++camToken;
      closeCams(s.comparedCams);
      const activeId = activeModelId(s);
      const others = chosenModels(s).filter(({ id }) => id !== activeId);
      set({
        comparedCams: {
          imageId,
          cams: Object.fromEntries(
            others.map(({ id, model }): [string, ComparedCam] => [
              id,
              model
                ? { status: 'loading' }
                : { status: 'error', message: `${id} is not available in this browser.` },
            ]),
          ),
        },
      });
      // The active model's own map, and the input crop every map is laid over (all variants frame images alike).
      const inspecting = get().inspectImage(imageId);
      // The model in the slot first: no load wasted. All queued at once, so a run's batches wait behind them.
      const inSlot = slot?.modelId;
      const ordered = others
        .flatMap(({ model }) => (model ? [model] : []))
        .sort((a, b) => Number(b.id === inSlot) - Number(a.id === inSlot));
      await Promise.all([inspecting, ...ordered.map((model) => camOf(model, image, token))]);
    },

    closeComparedCams: () => {
      camToken++;
      closeCams(get().comparedCams);
      set({ comparedCams: null });
    },
  };
};

/** The label of a chosen model, also when it is no longer on offer (its id then). */
export function comparedModelLabel(s: AppState, modelId: string): string {
  const model = compareCandidates(s).find((m) => m.id === modelId);
  if (model) return model.label;
  return modelId === activeModelId(s) && s.summary
    ? compareModelLabel(s.summary.variant, s.weights)
    : modelId;
}
