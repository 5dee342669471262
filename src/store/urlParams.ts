/** The address bar kept in step with the variant and backend (`?model=`, `?backend=`); shareLink.ts reads them. */
import type { BackendChoice } from '../shared/protocol';
import type { VariantId } from '../shared/variants';
import type { AppState } from './types';

/**
 * The URL for these options: `?model=` names the variant, so a reload or a shared link reopens it; `?backend=`
 * the backend setting, absent for `auto` (the default). Other parameters are kept.
 */
export function withOptionsInUrl(
  href: string,
  options: { variant: VariantId; backend: BackendChoice },
): string {
  const url = new URL(href);
  url.searchParams.set('model', options.variant);
  if (options.backend === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', options.backend);
  return url.toString();
}

/** Keeps the address bar in step with the store's variant and backend setting, the one place that writes it. */
export function keepUrlInStep(store: {
  subscribe: (listener: (state: AppState, prev: AppState) => void) => () => void;
}): () => void {
  return store.subscribe((state, prev) => {
    if (state.variant === prev.variant && state.backendChoice === prev.backendChoice) return;
    const href = withOptionsInUrl(window.location.href, {
      variant: state.variant,
      backend: state.backendChoice,
    });
    if (href !== window.location.href) window.history.replaceState(null, '', href);
  });
}
