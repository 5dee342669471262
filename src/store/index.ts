/** The app's one zustand store, made of slices that cooperate through their actions. */
import { create } from 'zustand';

import { createBackendSlice } from './backendSlice';
import { createCameraSlice } from './cameraSlice';
import { createCompareSlice } from './compareSlice';
import { createExplainSlice } from './explainSlice';
import { createImagesSlice } from './imagesSlice';
import { createInspectorSlice } from './inspectorSlice';
import { createIntakeSlice } from './intakeSlice';
import { createModelSlice } from './modelSlice';
import { createPwaSlice } from './pwaSlice';
import { createSettingsSlice } from './settingsSlice';
import { createThemeSlice } from './themeSlice';
import type { AppState } from './types';
import { createWeightsSlice } from './weightsSlice';

export const useAppStore = create<AppState>()((...a) => ({
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
}));

export type { AppState } from './types';
export type { ImageItem, ImageStatus } from './imagesSlice';
export type { ModelStatus } from './modelSlice';
export { keepUrlInStep } from './urlParams';
export { startFromLink } from './shareLink';
export type { CachedWeights } from '../client/weightsCache';
export { WEIGHTS_PRESETS } from '../client/weightPresets';
