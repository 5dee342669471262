/** The engine and the active model: starting, switching, loading with progress, and recovering from faults. */
import { runJob } from '../client/engineJobs';
import { markStart } from '../shared/startMarks';
import { Latest } from '../client/latest';
import { bundledResNet50Url, isBundledResNet50Installed, variantSource } from '../client/modelSources';
import type { ModelSummary } from '../shared/modelSummary';
import type { Progress } from '../shared/progress';
import type {
  BackendChoice,
  EngineApi,
  ModelHandle,
  ModelInfo,
  ModelSource,
  TaughtModelInfo,
} from '../shared/protocol';
import { RESNET50_FETCH_HINT } from '../shared/resnet50Package';
import { VARIANTS } from '../shared/variants';
import type { VariantId } from '../shared/variants';
import type { AppState, SliceCreator } from './types';

export type ModelStatus = 'loading' | 'ready' | 'error';

/** How to load the active model again on a new engine (after a fault or a backend change). */
export interface ActiveModel {
  /** Names it in messages: "ResNet34", "weights from resnet18.safetensors". */
  what: string;
  /** The model's source, made anew: weight buffers are handed to the engine and gone from the page after. */
  source: () => Promise<ModelSource>;
}

export interface LoadOptions {
  /** Classify the images shown again (default), or only go on with the queue. */
  reclassify?: boolean;
  /** How to make `source` again; needed for weight files, whose buffers the engine takes. */
  again?: ActiveModel['source'];
}

export interface ModelSlice {
  /** The variant asked for; `summary.variant` is the one actually loaded. */
  variant: VariantId;
  /** The engine's handle of the active model; null while none is loaded on the current engine. */
  modelHandle: ModelHandle | null;
  modelStatus: ModelStatus;
  loadProgress: Progress | null;
  summary: ModelSummary | null;
  weights: ModelInfo['weights'] | null;
  buildMs: number | null;
  /** App-level error (the engine or a model failed), shown in the alert banner. */
  appError: string | null;
  /** Whether the install step fetched ResNet50 (null until checked). */
  resnet50Installed: boolean | null;
  /** What a new engine loads to carry on where the old one was; null until a model has loaded. */
  activeModel: ActiveModel | null;
  /**
   * The active model when it was taught in this session (issue #26): its id, classes and backbone. Its backbone's
   * handle stays loaded beside it, to teach again on. Null for a built or loaded model.
   */
  taught: TaughtModelInfo | null;
  startApp: (options: { backend: BackendChoice; variant: VariantId | null }) => Promise<void>;
  switchVariant: (variant: VariantId) => Promise<void>;
  /**
   * Replaces the engine with a fresh one on `backend` (a setting change, or recovery after the worker or its
   * GPU context died) and loads the active model again: the same weights (from their file, the cache or their
   * URL), else the current variant. Queued images continue on the new engine. Resolves to what was loaded:
   * `active` when the active model came back as it was, `variant` when the variant was rebuilt instead, `null`
   * when no engine started or nothing loaded (the reason is in `appError`).
   */
  restartEngine: (
    backend: BackendChoice,
    why?: string,
    options?: { reclassify?: boolean; resume?: ActiveModel },
  ) => Promise<'active' | 'variant' | null>;
  /**
   * Loads a model on the engine with progress and makes it active. Resolves to the new model's info, or null
   * if it failed (the error is in `appError`, the previous model stays active) or a later load superseded it.
   * `what` names it in an error message.
   */
  loadModel: (what: string, source: ModelSource, options?: LoadOptions) => Promise<ModelInfo | null>;
  /**
   * Makes a model the engine has just taught the active one, as a load would (the images are classified again,
   * now with its classes). `activeModel` stays the backbone's: the head lives only in the worker that taught it,
   * so after an engine restart the backbone comes back.
   */
  adoptTaughtModel: (info: ModelInfo) => void;
  /** Makes the active taught model's backbone the active model again, as it was before, and frees the head. */
  leaveTaughtModel: () => void;
  dismissAppError: () => void;
}

export const createModelSlice: SliceCreator<ModelSlice> = (set, get, _store, context) => {
  // Switches can be requested faster than models build; only the latest request's result is applied.
  const loads = new Latest();
  /** The load on its way and how to make it again: a new engine carries on with it if this one dies. */
  let pending: { isCurrent: () => boolean; model: ActiveModel | null; what: string } | null = null;
  /** The model a taught model was adopted over, as it was active before: what leaving the taught model restores. */
  let beforeTaught: ModelInfo | null = null;

  async function loadModel(
    what: string,
    source: ModelSource,
    { reclassify = true, again }: LoadOptions = {},
  ): Promise<ModelInfo | null> {
    const engine = context.engine;
    if (!engine) return null;
    const isCurrent = loads.begin();
    // A files source cannot be used twice (its buffers go to the engine): without `again` it is not restorable.
    const makeAgain = again ?? (source.kind === 'files' ? null : async () => source);
    pending = { isCurrent, what, model: makeAgain ? { what, source: makeAgain } : null };
    // An explanation of the old model would hold the engine for nothing: its answer is stale once this loads.
    get().cancelExplain();
    set({ modelStatus: 'loading', loadProgress: { fraction: 0, message: 'Starting' } });
    try {
      const info = await runJob(engine, 'load', (job) => engine.load(source, job), {
        onProgress: (p) => {
          if (isCurrent()) set({ loadProgress: p });
        },
      });
      if (!isCurrent() || context.engine !== engine) {
        void engine.release(info.handle).catch(() => undefined);
        return null;
      }
      markStart('model-ready');
      activate(engine, info, {
        appError: info.notice ?? null,
        activeModel: makeAgain ? { what, source: makeAgain } : null,
        taught: null,
      });
      if (reclassify) get().reclassifyAll();
      else get().resumeClassification();
      get().refreshInspection();
      return info;
    } catch (err) {
      // Superseded, or the engine died under it: the restart carries on with this load (recoverFrom).
      if (!isCurrent() || context.engine !== engine) return null;
      const message = err instanceof Error ? err.message : String(err);
      // The engine only swaps models once the new one is complete: the previous model is still active.
      set({
        modelStatus: get().summary ? 'ready' : 'error',
        variant: get().summary?.variant ?? get().variant,
        loadProgress: null,
        appError: `Could not load ${what}: ${message}`,
      });
      get().resumeClassification();
      return null;
    } finally {
      if (pending?.isCurrent === isCurrent) pending = null;
    }
  }

  /**
   * Makes `info` the active model, with what differs between a load and a taught model in `state`, and releases
   * the models it replaces but `kept` (a taught model's backbone) in the engine's queue, behind every request made
   * with them, so nothing in flight loses its model.
   */
  function activate(
    engine: EngineApi,
    info: ModelInfo,
    state: Pick<ModelSlice, 'appError' | 'taught'> & Partial<Pick<ModelSlice, 'activeModel'>>,
    ...kept: ModelHandle[]
  ): void {
    const previous = get().modelHandle;
    const taughtBackbone = get().taught?.backbone ?? null;
    set({
      variant: info.summary.variant,
      modelHandle: info.handle,
      modelStatus: 'ready',
      loadProgress: null,
      summary: info.summary,
      weights: info.weights,
      buildMs: info.buildMs,
      ...state,
    });
    releaseAllBut(engine, [previous, taughtBackbone], info.handle, ...kept);
  }

  function releaseAllBut(engine: EngineApi, handles: (ModelHandle | null)[], ...kept: ModelHandle[]): void {
    for (const handle of new Set(handles)) {
      if (handle && !kept.includes(handle)) void engine.release(handle).catch(() => undefined);
    }
  }

  /** The badge's memory figure follows the engine's events while it is the store's engine. */
  function showMemoryOf(engine: EngineApi): void {
    engine.subscribe((event) => {
      if (event.type === 'memory' && context.engine === engine) get().setMemory(event.memory);
    });
  }
  // An engine the store was built with (tests) is followed from the start.
  if (context.engine) showMemoryOf(context.engine);

  // Engine starts can overlap (two quick restarts); only the latest one's engine is kept.
  const starts = new Latest();

  /**
   * Starts an engine and makes it current; false if none could start (the reason is in `appError`) or a later
   * start superseded this one (its engine is disposed, never leaked).
   */
  async function startEngineOn(backend: BackendChoice): Promise<boolean> {
    const isCurrent = starts.begin();
    try {
      const started = await context.startEngine(backend);
      if (!isCurrent()) {
        void started.engine.dispose().catch(() => undefined);
        return false;
      }
      context.engine = started.engine;
      showMemoryOf(started.engine);
      void started.engine.onFault((reason) => void recoverFrom(started.engine, reason));
      get().setBackend(started.backend);
      get().setMemory(await started.engine.memory());
      return true;
    } catch (err) {
      if (!isCurrent()) return false;
      const message = err instanceof Error ? err.message : String(err);
      set({ modelStatus: 'error', loadProgress: null, appError: message });
      return false;
    }
  }

  /**
   * The engine failed (its worker died, or its GPU context was lost): replace it with a fresh one on the same
   * backend setting and reload the model, say so, and let the images in flight be retried.
   */
  async function recoverFrom(failed: EngineApi, reason: string): Promise<void> {
    if (context.engine !== failed) return; // already replaced
    // A load on its way when the engine died is what the user asked for last: it, not the old model, comes back.
    const interrupted = pending;
    const weights = get().weights;
    const loaded = weights && weights.origin !== 'random' && weights.origin !== 'bundled' ? weights : null;
    const restored = await get().restartEngine(get().backendChoice, 'Restarting the engine', {
      reclassify: false,
      ...(interrupted?.model ? { resume: interrupted.model } : {}),
    });
    set({ appError: `${reason} ${recoveryOutcome(get(), restored, loaded?.name ?? null, interrupted)}` });
  }

  const resnet50Url = () => bundledResNet50Url(import.meta.env.BASE_URL, window.location.href);

  const load = (variant: VariantId, options?: { reclassify?: boolean }) => {
    if (variant === 'resnet50' && !get().resnet50Installed) {
      set({ appError: RESNET50_FETCH_HINT });
      return Promise.resolve(null);
    }
    set({ variant });
    return loadModel(VARIANTS[variant].label, variantSource(variant, resnet50Url()), options);
  };

  return {
    variant: 'resnet18',
    modelHandle: null,
    modelStatus: 'loading',
    loadProgress: null,
    summary: null,
    weights: null,
    buildMs: null,
    appError: null,
    resnet50Installed: null,
    activeModel: null,
    taught: null,

    startApp: async ({ backend, variant: requested }) => {
      set({
        backendChoice: backend,
        modelStatus: 'loading',
        loadProgress: { fraction: 0, message: `Starting ${backend}` },
      });
      // The engine (worker, TF.js, backend) starts while the page checks which models it serves.
      const engineStarted = startEngineOn(backend);
      const installed = await isBundledResNet50Installed(resnet50Url());
      // A new visitor gets the one ImageNet-trained model, so their first photo gets a real answer.
      const variant = requested ?? (installed ? 'resnet50' : 'resnet18');
      set({
        resnet50Installed: installed,
        variant: variant === 'resnet50' && !installed ? 'resnet18' : variant,
      });
      if (!(await engineStarted)) return;
      void get().refreshCachedWeights();
      void get().refreshKeptModels();
      await load(variant);
      if (variant === 'resnet50' && !installed) {
        // The fall-back's success clears appError; the user still needs to know why this is not ResNet50.
        if (await load('resnet18')) set({ appError: RESNET50_FETCH_HINT });
      }
    },

    switchVariant: async (variant) => {
      // A taught model runs on the variant's backbone: choosing the variant again goes back to its ImageNet head.
      if (variant === get().variant && get().modelStatus !== 'error' && !get().taught) return;
      await load(variant);
    },

    restartEngine: async (backend, why, { resume, ...options } = {}) => {
      const previous = context.engine;
      context.engine = null;
      set({
        backendChoice: backend,
        summary: null,
        modelHandle: null,
        taught: null,
        modelStatus: 'loading',
        loadProgress: { fraction: 0, message: why ?? `Starting ${backend}` },
      });
      // The old engine may already be dead (that can be why we are here); its dispose must not block.
      void previous?.dispose().catch(() => undefined);
      if (!(await startEngineOn(backend))) return null;
      const active = resume ?? get().activeModel;
      // Only the restore's own failure is carried past the variant's load, never an older error.
      let failure: string | null = null;
      if (active) {
        try {
          const source = await active.source();
          const loading = loadModel(active.what, source, { ...options, again: active.source });
          const stillCurrent = loads.current(); // loadModel began before its first await
          if (await loading) return 'active';
          // Superseded by a load the user asked for meanwhile, or the variant itself failed: nothing to add.
          if (!stillCurrent() || source.kind !== 'files') return null;
          failure = get().appError;
        } catch (err) {
          failure = err instanceof Error ? err.message : String(err);
        }
      }
      // Nothing to restore, or it could not be had (a file deleted, the cache cleared, offline): the variant.
      const info = await load(get().variant, options);
      if (info && failure) set({ appError: failure });
      else if (!info && failure && !get().appError) set({ appError: failure });
      return info ? 'variant' : null;
    },

    loadModel,

    adoptTaughtModel: (info) => {
      const engine = context.engine;
      if (!engine || !info.taught) return;
      // A load asked for before the teaching ended would replace the taught model with something older.
      loads.supersede();
      get().cancelExplain();
      const { modelHandle, summary, weights, buildMs } = get();
      if (!get().taught && modelHandle === info.taught.backbone && summary && weights)
        beforeTaught = { handle: modelHandle, summary, weights, buildMs: buildMs ?? 0 };
      activate(engine, info, { appError: null, taught: info.taught }, info.taught.backbone);
      get().reclassifyAll();
      get().refreshInspection();
    },

    leaveTaughtModel: () => {
      const engine = context.engine;
      const backbone = beforeTaught;
      if (!engine || !backbone || backbone.handle !== get().taught?.backbone) return;
      loads.supersede();
      get().cancelExplain();
      activate(engine, backbone, { appError: null, taught: null }, backbone.handle);
      get().reclassifyAll();
      get().refreshInspection();
    },

    dismissAppError: () => set({ appError: null }),
  };
};

/**
 * What the user is told after the engine was restarted: what came back, and what could not (never nothing:
 * a weights load cut short by the fault is named when it could not be resumed).
 */
function recoveryOutcome(
  s: AppState,
  restored: 'active' | 'variant' | null,
  loadedName: string | null,
  interrupted: { model: ActiveModel | null; what: string } | null,
): string {
  // A failed restart or reload has said why in appError already: keep that, after what happened.
  if (!restored) return s.appError ?? 'The engine could not be restarted.';
  if (interrupted) {
    if (restored === 'active' && interrupted.model)
      return `The engine was restarted and ${interrupted.what} loaded.`;
    const why = s.appError ? ` (${s.appError})` : '';
    return `The engine was restarted, but ${interrupted.what}, which was loading, could not be loaded${why}: load it again.`;
  }
  if (restored === 'active' && loadedName) {
    return `The engine was restarted and the weights from ${loadedName} restored.`;
  }
  return loadedName
    ? `The engine was restarted and the model reloaded, but the weights from ${loadedName} could not be restored${s.appError ? ` (${s.appError})` : ''}: load them again.`
    : 'The engine was restarted and the model reloaded.';
}
