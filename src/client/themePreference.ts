/**
 * The page's colour theme: the choice the user made (kept in localStorage), the system's own preference, and
 * the attribute the stylesheet reads. The one place that touches any of them.
 */
import { THEME_KEY } from '../shared/storageNames';
import { moveFormerLocalStorage } from './formerLocalStorage';

export type Theme = 'light' | 'dark';

const DARK_QUERY = '(prefers-color-scheme: dark)';

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** localStorage, or null where there is none or it refuses access (a sandboxed frame, blocked storage). */
function localStore(): Store | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export const isTheme = (value: unknown): value is Theme => value === 'light' || value === 'dark';

/** The theme the user chose on an earlier visit, or null to follow the system. */
export function readThemeChoice(store: Store | null = localStore()): Theme | null {
  // The theme is the first thing a page reads from storage: an earlier version's keys move here, before that.
  moveFormerLocalStorage(store);
  try {
    const value = store?.getItem(THEME_KEY);
    return isTheme(value) ? value : null;
  } catch {
    return null;
  }
}

/** Remembers the choice (null forgets it). A storage that refuses only costs the memory, not the theme. */
export function writeThemeChoice(theme: Theme | null, store: Store | null = localStore()): void {
  try {
    if (theme === null) store?.removeItem(THEME_KEY);
    else store?.setItem(THEME_KEY, theme);
  } catch {
    // Private modes may throw on write; the theme still applies for this visit.
  }
}

/** What the operating system or browser prefers; light where it cannot be asked (tests, old browsers). */
export function systemTheme(): Theme {
  if (typeof matchMedia !== 'function') return 'light';
  return matchMedia(DARK_QUERY).matches ? 'dark' : 'light';
}

/** Calls back whenever the system's preference changes (the OS switching at dusk); returns the unsubscribe. */
export function watchSystemTheme(onChange: (theme: Theme) => void): () => void {
  if (typeof matchMedia !== 'function') return () => undefined;
  const query = matchMedia(DARK_QUERY);
  const listener = (e: MediaQueryListEvent) => onChange(e.matches ? 'dark' : 'light');
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}

/** Sets `<html data-theme>`, which pins the stylesheet's `color-scheme` (and so every light-dark() colour). */
export function applyTheme(theme: Theme): void {
  if (typeof document === 'undefined') return;
  document.documentElement.dataset.theme = theme;
}
