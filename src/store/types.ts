/** The store's whole state type, what a store is built with, and the shape of a slice creator. */
import type { StoreApi } from 'zustand';

import type { StartedEngine } from '../client/engineClient';
import type { TaughtModelStore } from '../client/taughtModelStore';
import type { BackendChoice, EngineApi } from '../shared/protocol';

import type { BackendSlice } from './backendSlice';
import type { CameraSlice } from './cameraSlice';
import type { CompareSlice } from './compareSlice';
import type { ExplainSlice } from './explainSlice';
import type { FeatureVisSlice } from './featureVisSlice';
import type { ImagesSlice } from './imagesSlice';
import type { InspectorSlice } from './inspectorSlice';
import type { IntakeSlice } from './intakeSlice';
import type { KeptModelsSlice } from './keptModelsSlice';
import type { ModelSlice } from './modelSlice';
import type { NetworkSlice } from './networkSlice';
import type { PwaSlice } from './pwaSlice';
import type { SettingsSlice } from './settingsSlice';
import type { TeachSlice } from './teachSlice';
import type { ThemeSlice } from './themeSlice';
import type { WeightsSlice } from './weightsSlice';

export type AppState = BackendSlice &
  ModelSlice &
  ImagesSlice &
  SettingsSlice &
  WeightsSlice &
  InspectorSlice &
  IntakeSlice &
  ExplainSlice &
  CompareSlice &
  ThemeSlice &
  PwaSlice &
  CameraSlice &
  NetworkSlice &
  TeachSlice &
  KeptModelsSlice &
  FeatureVisSlice;

/**
 * What a store is built with: how it starts an engine (a worker in the app, a fake in tests), optionally an
 * engine already running (tests that need no start), and where taught models are kept.
 */
export interface StoreDeps {
  startEngine: (backend: BackendChoice) => Promise<StartedEngine>;
  engine?: EngineApi;
  /** Where taught models are kept (IndexedDB in the app; absent where there is none, as in most unit tests). */
  taughtModels?: TaughtModelStore;
}

/**
 * What the slices of one store share besides state: its dependencies and the engine it runs on. The engine is a
 * live object (a worker proxy), not state to render, so it lives beside the state rather than in it.
 */
export interface StoreContext extends Omit<StoreDeps, 'engine'> {
  engine: EngineApi | null;
}

/** A slice creator that can read and call the whole store (slices cooperate through actions). */
export type SliceCreator<T> = (
  set: StoreApi<AppState>['setState'],
  get: StoreApi<AppState>['getState'],
  store: StoreApi<AppState>,
  context: StoreContext,
) => T;
