/**
 * Compare mode: every image classified by two to four models side by side. The active model's answers are the
 * images' own; each other model takes the engine's compare slot in turn and classifies every waiting image in
 * batches (model-major: one load per model, not per image), with progress, Cancel between batches, errors in the
 * cells, and the class activation maps of all compared models for one image.
 */
import { CompareRunner } from '../client/compareRunner';
import { Latest } from '../client/latest';
import { readCachedWeights, recordCachedWeightsVariant } from '../client/weightsCache';
import { modelIdFor } from '../shared/modelIds';
import { MAX_COMPARED, MIN_COMPARED } from '../shared/permalink';
import type { Prediction } from '../shared/predictions';
import type { Progress } from '../shared/progress';
import type { CamRender, ClassifyResult } from '../shared/protocol';
import { activeCompareModel, activeModelId, compareCandidates, compareModelLabel } from './compareModels';
import type { CompareModel } from './compareModels';
import type { CompareCell, CompareResults } from './compareRows';
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

const CANCELLED_MESSAGE = 'Cancelled before this model classified it.';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

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

export const createCompareSlice: SliceCreator<CompareSlice> = (set, get, store, context) => {
  const cams = new Latest();

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

  const failed = (ids: readonly string[], message: string) =>
    new Map<string, CompareCell>(ids.map((id) => [id, { status: 'error', message, cancelled: false }]));

  /**
   * The sequencing is the runner's (client/compareRunner.ts); the store says what waits and keeps the answers. It
   * keeps one compared model loaded beside the active one: at most two models in memory, however many are
   * compared (docs/architecture.md, "Models in memory").
   */
  const runner = new CompareRunner({
    engine: () => {
      const s = get();
      const ready = s.compareMode && s.modelStatus === 'ready' && s.comparedIds.length >= MIN_COMPARED;
      return ready ? context.engine : null;
    },
    modelsWithWork: () => {
      const s = get();
      const activeId = activeModelId(s);
      return chosenModels(s).filter(({ id }) => id !== activeId && waitingFor(s, id).length > 0);
    },
    waiting: (modelId) => waitingFor(get(), modelId).map((image) => ({ id: image.id, blob: image.file })),
    wanted: () => get().compareMode,
    loading: (modelId, progress) => {
      const current = get().compareLoading;
      if (progress === null) set({ compareLoading: null });
      else if (!current || current.modelId === modelId) set({ compareLoading: { modelId, progress } });
    },
    started: (modelId, imageIds) => set({ compareInFlight: { modelId, imageIds: [...imageIds] } }),
    answered: (modelId, imageIds, results) =>
      settle(modelId, new Map(imageIds.map((id, i) => [id, cellFromResult(results[i]!)])), {
        compareInFlight: null,
      }),
    failed: (modelId, imageIds, message) =>
      imageIds === null
        ? settle(
            modelId,
            failed(
              waitingFor(get(), modelId).map((image) => image.id),
              message,
            ),
          )
        : settle(modelId, failed(imageIds, message), { compareInFlight: null }),
    idle: () => set({ compareInFlight: null }),
  });
  const pump = () => runner.pump();

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

  /** The CAM of `model` for the image, in its turn; applied only if still asked for. */
  async function camOf(model: CompareModel, image: ImageItem, isCurrent: () => boolean): Promise<void> {
    const show = (cam: ComparedCam) => {
      const current = get().comparedCams;
      if (!isCurrent() || !current) return false;
      set({ comparedCams: { ...current, cams: { ...current.cams, [model.id]: cam } } });
      return true;
    };
    try {
      const engine = context.engine;
      if (!engine) throw new Error('No engine is running.');
      const { cam, predictions } = await runner.cam(engine, model, { id: image.id, blob: image.file });
      if (!show({ status: 'ready', cam, predictions })) cam.bitmap.close();
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
      void runner.release();
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
        const engine = context.engine;
        if (!engine) throw new Error('No engine is running.');
        const origin = { origin: 'cache', name: entry.name } as const;
        const info = await runner.identify(
          engine,
          async () => ({ kind: 'files', ...origin, files: await readCachedWeights(cacheId) }),
          // Its model id needs the variant this load finds out.
          ({ summary }) => modelIdFor(summary.variant, origin),
        );
        const variant = info.summary.variant;
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
      const isCurrent = cams.begin();
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
      // The model loaded first: no load wasted. All queued at once, so a run's batches wait behind them.
      const loadedId = runner.loadedModelId(context.engine);
      const ordered = others
        .flatMap(({ model }) => (model ? [model] : []))
        .sort((a, b) => Number(b.id === loadedId) - Number(a.id === loadedId));
      await Promise.all([inspecting, ...ordered.map((model) => camOf(model, image, isCurrent))]);
    },

    closeComparedCams: () => {
      cams.supersede();
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
