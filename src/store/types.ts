import type { StateCreator } from 'zustand';

import type { BackendSlice } from './backendSlice';
import type { ImagesSlice } from './imagesSlice';
import type { ModelSlice } from './modelSlice';
import type { SettingsSlice } from './settingsSlice';

export type AppState = BackendSlice & ModelSlice & ImagesSlice & SettingsSlice;

/** A slice creator that can read and call the whole store (slices cooperate through actions). */
export type SliceCreator<T> = StateCreator<AppState, [], [], T>;
