/**
 * Light or dark: the system's preference unless the user chose otherwise with the header's toggle; the choice
 * is remembered across visits (src/client/themePreference.ts).
 */
import {
  applyTheme,
  readThemeChoice,
  systemTheme,
  watchSystemTheme,
  writeThemeChoice,
} from '../client/themePreference';
import type { Theme } from '../client/themePreference';
import type { SliceCreator } from './types';

export type { Theme } from '../client/themePreference';

export interface ThemeSlice {
  /** The theme in effect. */
  theme: Theme;
  /** What the user chose, remembered; null follows the system. */
  themeChoice: Theme | null;
  /** Applies the theme to the page before the first render and keeps it in step; returns the unsubscribe. */
  startTheme: () => () => void;
  /** Switches to the other theme. */
  toggleTheme: () => void;
}

/**
 * The state after the toggle. Choosing what the system already prefers forgets the choice rather than pinning
 * it, so a user who toggles back ends up following the system again (and its dusk switch), not stuck on it.
 */
export function toggledTheme(theme: Theme, system: Theme): Pick<ThemeSlice, 'theme' | 'themeChoice'> {
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return { theme: next, themeChoice: next === system ? null : next };
}

export const createThemeSlice: SliceCreator<ThemeSlice> = (set, get, api) => {
  const themeChoice = readThemeChoice();
  return {
    themeChoice,
    theme: themeChoice ?? systemTheme(),

    startTheme: () => {
      applyTheme(get().theme);
      const unsubscribe = api.subscribe((state, prev) => {
        if (state.theme !== prev.theme) applyTheme(state.theme);
      });
      const unwatch = watchSystemTheme((system) => {
        if (get().themeChoice === null) set({ theme: system });
      });
      return () => {
        unsubscribe();
        unwatch();
      };
    },

    toggleTheme: () => {
      const next = toggledTheme(get().theme, systemTheme());
      writeThemeChoice(next.themeChoice);
      set(next);
    },
  };
};
