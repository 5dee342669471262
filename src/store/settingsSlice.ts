/** The user's display settings, and what an opened link asked for that the page has yet to act on or report. */
import { DEFAULT_TOP_K, clampTopK } from '../shared/predictions';
import type { SliceCreator } from './types';

export interface SettingsSlice {
  /** How many predictions each card shows (1..20). Results hold the top 20, so changing k needs no re-run. */
  topK: number;
  setTopK: (k: number) => void;
  /**
   * Model ids (permalink.ts's grammar) a shared link asked to compare, 2 to 4 of them; empty when it asked for
   * none. Compare mode takes them from here when it starts, and clears them with `setRequestedCompare([])`.
   */
  requestedCompare: string[];
  setRequestedCompare: (modelIds: readonly string[]) => void;
  /** What in the link the page was opened with could not be used, one sentence each; empty when all was fine. */
  linkProblems: string[];
  addLinkProblems: (problems: readonly string[]) => void;
  dismissLinkProblems: () => void;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get) => ({
  topK: DEFAULT_TOP_K,
  setTopK: (k) => set({ topK: clampTopK(k) }),
  requestedCompare: [],
  setRequestedCompare: (modelIds) => set({ requestedCompare: [...modelIds] }),
  linkProblems: [],
  addLinkProblems: (problems) => {
    if (problems.length > 0) set({ linkProblems: [...get().linkProblems, ...problems] });
  },
  dismissLinkProblems: () => set({ linkProblems: [] }),
});
