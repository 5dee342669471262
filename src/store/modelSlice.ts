import { startEngine } from '../inference/client';
import type { BackendName, LoadProgress, ModelInfo } from '../inference/protocol';
import type { ModelSummary } from '../model/stageSummary';
import type { VariantId } from '../model/variants';
import { getEngine, setEngine } from './engineRef';
import type { SliceCreator } from './types';

export type ModelStatus = 'loading' | 'ready' | 'error';

export interface ModelSlice {
  /** The variant asked for; `summary.variant` is the one actually loaded. */
  variant: VariantId;
  modelStatus: ModelStatus;
  loadProgress: LoadProgress | null;
  summary: ModelSummary | null;
  weights: ModelInfo['weights'] | null;
  buildMs: number | null;
  /** App-level error (the engine or a model failed), shown in the alert banner. */
  appError: string | null;
  startApp: (options: { backend: BackendName; variant: VariantId }) => Promise<void>;
  switchVariant: (variant: VariantId) => Promise<void>;
  dismissAppError: () => void;
}

export const createModelSlice: SliceCreator<ModelSlice> = (set, get) => {
  // Switches can be requested faster than models build; only the latest request's result is applied.
  let loadToken = 0;

  async function load(variant: VariantId): Promise<void> {
    const engine = getEngine();
    if (!engine) return;
    const token = ++loadToken;
    set({ variant, modelStatus: 'loading', loadProgress: { fraction: 0, message: 'Starting' } });
    try {
      const info = await engine.loadModel({ variant }, (p) => {
        if (token === loadToken) set({ loadProgress: p });
      });
      get().setMemory(info.memory);
      if (token !== loadToken) return;
      set({
        modelStatus: 'ready',
        loadProgress: null,
        summary: info.summary,
        weights: info.weights,
        buildMs: info.buildMs,
      });
      get().reclassifyAll();
    } catch (err) {
      if (token !== loadToken) return;
      const message = err instanceof Error ? err.message : String(err);
      // The previous model (if any) is still loaded and usable; say what failed.
      set({
        modelStatus: get().summary ? 'ready' : 'error',
        variant: get().summary?.variant ?? variant,
        loadProgress: null,
        appError: `Could not build ${variant}: ${message}`,
      });
    }
  }

  return {
    variant: 'resnet18',
    modelStatus: 'loading',
    loadProgress: null,
    summary: null,
    weights: null,
    buildMs: null,
    appError: null,

    startApp: async ({ backend, variant }) => {
      set({ variant, modelStatus: 'loading', loadProgress: { fraction: 0, message: `Starting ${backend}` } });
      try {
        const started = await startEngine(backend);
        setEngine(started.engine);
        get().setBackend(started.backend);
        get().setMemory(await started.engine.memory());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        set({ modelStatus: 'error', loadProgress: null, appError: message });
        return;
      }
      await load(variant);
    },

    switchVariant: async (variant) => {
      if (variant === get().variant && get().modelStatus !== 'error') return;
      await load(variant);
    },

    dismissAppError: () => set({ appError: null }),
  };
};
