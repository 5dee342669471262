/** Whether the page is on a narrow screen (a phone, a tablet held upright), where the layout is one column. */
import { useSyncExternalStore } from 'react';

/** The width at which styles.css's `.layout` turns from two columns into one; keep the two equal. */
export const NARROW_QUERY = '(max-width: 860px)';

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(NARROW_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

const isNarrow = () => window.matchMedia(NARROW_QUERY).matches;

/**
 * True on a narrow screen, read before the first paint and again whenever the window crosses the width (a
 * tablet turned), so the page never shows one layout's order in the other's columns.
 */
export function useNarrowScreen(): boolean {
  return useSyncExternalStore(subscribe, isNarrow);
}
