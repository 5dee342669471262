/** The user's display settings. */
import { DEFAULT_TOP_K, clampTopK } from '../shared/predictions';
import type { SliceCreator } from './types';

export interface SettingsSlice {
  /** How many predictions each card shows (1..20). Results hold the top 20, so changing k needs no re-run. */
  topK: number;
  setTopK: (k: number) => void;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set) => ({
  topK: DEFAULT_TOP_K,
  setTopK: (k) => set({ topK: clampTopK(k) }),
});
