/** The store's whole state type, and the shape of a slice creator. */
import type { StateCreator } from 'zustand';

import type { BackendSlice } from './backendSlice';
import type { CameraSlice } from './cameraSlice';
import type { CompareSlice } from './compareSlice';
import type { ExplainSlice } from './explainSlice';
import type { ImagesSlice } from './imagesSlice';
import type { InspectorSlice } from './inspectorSlice';
import type { IntakeSlice } from './intakeSlice';
import type { ModelSlice } from './modelSlice';
import type { PwaSlice } from './pwaSlice';
import type { SettingsSlice } from './settingsSlice';
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
  CameraSlice;

/** A slice creator that can read and call the whole store (slices cooperate through actions). */
export type SliceCreator<T> = StateCreator<AppState, [], [], T>;
