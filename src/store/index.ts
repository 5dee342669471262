/**
 * The app's zustand store, made of slices that cooperate through their actions. `createAppStore` builds one (the
 * app builds one with the worker engine; tests build a fresh one per test with a fake).
 */
import { create } from 'zustand';

import { startEngine } from '../client/startEngine';
import { TaughtModelStore } from '../client/taughtModelStore';
import type { EngineApi } from '../shared/protocol';
import { createBackendSlice } from './backendSlice';
import { createCameraSlice } from './cameraSlice';
import { createCompareSlice } from './compareSlice';
import { createExplainSlice } from './explainSlice';
import { createFeatureVisSlice } from './featureVisSlice';
import { createImagesSlice } from './imagesSlice';
import { createInspectorSlice } from './inspectorSlice';
import { createIntakeSlice } from './intakeSlice';
import { createKeptModelsSlice } from './keptModelsSlice';
import { createModelSlice } from './modelSlice';
import { createNetworkSlice } from './networkSlice';
import { createPwaSlice } from './pwaSlice';
import { createSettingsSlice } from './settingsSlice';
import { createTeachSlice } from './teachSlice';
import { createThemeSlice } from './themeSlice';
import type { AppState, StoreContext, StoreDeps } from './types';
import { createWeightsSlice } from './weightsSlice';

export function createAppStore({ engine = undefined, ...deps }: Partial<StoreDeps> = {}) {
  const context: StoreContext = { startEngine, ...deps, engine: engine ?? null };
  const store = create<AppState>()((set, get, api) => {
    const a = [set, get, api, context] as const;
    return {
      ...createBackendSlice(...a),
      ...createModelSlice(...a),
      ...createImagesSlice(...a),
      ...createSettingsSlice(...a),
      ...createWeightsSlice(...a),
      ...createInspectorSlice(...a),
      ...createIntakeSlice(...a),
      ...createExplainSlice(...a),
      ...createCompareSlice(...a),
      ...createThemeSlice(...a),
      ...createPwaSlice(...a),
      ...createCameraSlice(...a),
      ...createNetworkSlice(...a),
      ...createTeachSlice(...a),
      ...createKeptModelsSlice(...a),
      ...createFeatureVisSlice(...a),
    };
  });
  /** The engine the store runs on now (null while none has started, or between a fault and its restart). */
  return Object.assign(store, { engine: (): EngineApi | null => context.engine });
}

export const useAppStore = createAppStore(
  typeof indexedDB === 'undefined' ? {} : { taughtModels: new TaughtModelStore(indexedDB) },
);
export type AppStore = ReturnType<typeof createAppStore>;

export type { AppState } from './types';
export type { ImageItem, ImageStatus } from './imagesSlice';
export type { ModelStatus } from './modelSlice';
export { keepUrlInStep } from './urlParams';
export { startFromLink } from './shareLink';
export type { CachedWeights } from '../client/weightsCache';
export { WEIGHTS_PRESETS } from '../client/weightPresets';
