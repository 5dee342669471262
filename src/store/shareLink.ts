/**
 * Shareable links: the settings of the page as a URL (never its images), and the page's start from such a URL,
 * applying every setting it carries and saying what it could not use.
 */
import { WEIGHTS_PRESETS } from '../client/weightPresets';
import { modelIdFor, weightsSlug } from '../shared/modelIds';
import { MIN_COMPARED, parseModelId, parseSearch, toSearch } from '../shared/permalink';
import type { ShareableSettings } from '../shared/permalink';
import type { BackendChoice } from '../shared/protocol';
import { VARIANTS } from '../shared/variants';
import type { VariantId } from '../shared/variants';
import type { AppState } from './types';

/** The parameters only a shared link carries; the address bar keeps just `model` and `backend` in step. */
const LINK_ONLY_PARAMS = ['compare', 'k', 'method', 'stage', 'view'] as const;

type ShareState = Pick<
  AppState,
  | 'variant'
  | 'summary'
  | 'weights'
  | 'backendChoice'
  | 'topK'
  | 'explainMethod'
  | 'explainStageChoice'
  | 'requestedCompare'
  | 'compareMode'
  | 'comparedIds'
  | 'networkOpen'
>;

/** The id of the model shown now: the loaded one (with its weights), else the one being loaded. */
export function shownModelId(state: Pick<AppState, 'variant' | 'summary' | 'weights'>): string {
  return state.summary ? modelIdFor(state.summary.variant, state.weights) : state.variant;
}

/**
 * The models compared now, for the link: compare mode's choice while it compares, else what a link asked to
 * compare that compare mode has not taken up yet (the page is still loading).
 */
export function comparedModelIds(
  state: Pick<AppState, 'requestedCompare' | 'compareMode' | 'comparedIds'>,
): string[] {
  if (state.compareMode && state.comparedIds.length >= MIN_COMPARED) return state.comparedIds;
  return state.requestedCompare;
}

export function shareableSettings(state: ShareState): ShareableSettings {
  const compared = comparedModelIds(state);
  return {
    models: compared.length >= 2 ? [...compared] : [shownModelId(state)],
    backend: state.backendChoice,
    k: state.topK,
    method: state.explainMethod,
    stage: state.explainStageChoice,
    ...(state.networkOpen ? { view: 'network' as const } : {}),
  };
}

/** The link to this page with the current settings: the page's address with only the settings as its query. */
export function shareUrl(state: ShareState, pageHref: string): string {
  const url = new URL(pageHref);
  url.search = toSearch(shareableSettings(state)).toString();
  url.hash = '';
  return url.toString();
}

/**
 * The address once a link's settings are applied: the link-only parameters removed (so they never go stale as
 * the user changes k or the method), `model=` reduced to the variant opened and `backend=` to the backend used,
 * or removed where the link's value could not be used: what the address bar keeps in step from then on.
 */
export function addressAfterLink(
  href: string,
  opened: { variant: VariantId | null; backend: BackendChoice },
): string {
  const url = new URL(href);
  for (const name of LINK_ONLY_PARAMS) url.searchParams.delete(name);
  if (!url.searchParams.has('model')) {
    // No model= to correct; compare= opened one, which the address bar's keeper writes once it loads.
  } else if (opened.variant === null) url.searchParams.delete('model');
  else url.searchParams.set('model', opened.variant);
  if (opened.backend === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', opened.backend);
  return url.toString();
}

interface Store {
  getState: () => AppState;
}

/**
 * Loads weights a link names by their slug: from this browser's cache (nothing to download), else the preset
 * with that slug (downloaded with progress, then cached). Says so when neither has them.
 */
async function restoreLinkedWeights(store: Store, variant: VariantId, slug: string): Promise<void> {
  await store.getState().refreshCachedWeights();
  const cached = store.getState().cachedWeights.find((entry) => weightsSlug(entry.name) === slug);
  if (cached) {
    await store.getState().loadCachedWeights(cached.id);
    return;
  }
  const preset = WEIGHTS_PRESETS.find((p) => weightsSlug(p.url) === slug);
  if (preset) {
    await store.getState().loadWeightsFromUrl(preset.url);
    return;
  }
  store
    .getState()
    .addLinkProblems([
      `The link's model=${variant}:${slug} names weights this browser does not have (not cached, and not one of the presets); showing ${VARIANTS[variant].label} with its seeded weights instead. Open that weights file to get the same answers.`,
    ]);
}

/**
 * Starts the app from the page's address: every setting of a shared link applied (a bad value falls back to its
 * default, and `linkProblems` says so), the link-only parameters then taken out of the address bar. `?model=`
 * and `?backend=` work as they always have.
 */
export async function startFromLink(
  store: Store,
  href: string,
  replaceAddress: (href: string) => void,
): Promise<void> {
  const { settings, problems } = parseSearch(new URL(href).search);
  const state = store.getState();
  state.addLinkProblems(problems);
  state.setTopK(settings.k);
  state.setExplainMethod(settings.method);
  if (settings.stage !== null) state.setExplainStage(settings.stage);
  if (settings.view === 'network') state.openNetwork();
  const compared = settings.models.length >= 2 ? settings.models : [];
  state.setRequestedCompare(compared);
  // Comparing opens on its first model; compare mode loads the others.
  const first = settings.models[0] ? parseModelId(settings.models[0]) : null;
  const variant = first?.variant ?? null;
  const cleaned = addressAfterLink(href, { variant, backend: settings.backend });
  if (cleaned !== href) replaceAddress(cleaned);
  await state.startApp({ backend: settings.backend, variant });
  if (compared.length === 0 && first?.weights && store.getState().modelStatus === 'ready') {
    await restoreLinkedWeights(store, first.variant, first.weights);
  }
}
