/**
 * The models compare mode can offer, each with its id and a way to load it: the seeded variants, ResNet50 when
 * installed, the active model's weights, weights that were active earlier in this session, and cached weights.
 */
import { bundledResNet50Url } from '../client/modelSources';
import { readCachedWeights } from '../client/weightsCache';
import type { CachedWeights } from '../client/weightsCache';
import { modelIdFor, weightsSlug } from '../shared/modelIds';
import type { ModelSource, WeightsSource } from '../shared/protocol';
import { BUILDABLE_VARIANT_IDS, VARIANTS } from '../shared/variants';
import type { VariantId } from '../shared/variants';
import type { AppState } from './types';

export interface CompareModel {
  /** The model id (`resnet18`, `resnet34:resnet34.tv_in1k`): the column's and the checkbox's name. */
  id: string;
  label: string;
  variant: VariantId;
  /** Made anew for every load: weight buffers are handed to the engine and gone from the page after. */
  source: () => Promise<ModelSource>;
}

/** The id of the active model, or null while none is loaded (or the engine is being replaced). */
export function activeModelId(s: Pick<AppState, 'summary' | 'weights'>): string | null {
  return s.summary && s.weights ? modelIdFor(s.summary.variant, s.weights) : null;
}

/** "ResNet18 (seeded, untrained)", "ResNet34, resnet34.tv_in1k". */
export function compareModelLabel(
  variant: VariantId,
  weights: Pick<WeightsSource, 'origin' | 'name'> | null,
): string {
  const label = VARIANTS[variant].label;
  if (!weights || weights.origin === 'random') return `${label} (seeded, untrained)`;
  if (weights.origin === 'bundled') return `${label} (ImageNet-trained)`;
  return `${label}, ${weightsSlug(weights.name)}`;
}

function seeded(variant: Extract<VariantId, 'resnet18' | 'resnet34'>): CompareModel {
  return {
    id: variant,
    label: compareModelLabel(variant, null),
    variant,
    source: () => Promise.resolve({ kind: 'random', variant }),
  };
}

const BUNDLED_RESNET50: CompareModel = {
  id: 'resnet50',
  label: compareModelLabel('resnet50', { origin: 'bundled', name: '' }),
  variant: 'resnet50',
  // Resolved when loaded: a worker cannot resolve the page's relative URLs.
  source: () =>
    Promise.resolve({
      kind: 'bundled',
      variant: 'resnet50',
      modelUrl: bundledResNet50Url(import.meta.env.BASE_URL, window.location.href),
    }),
};

function cached(entry: CachedWeights & { variant: VariantId }): CompareModel {
  const weights = { origin: 'cache' as const, name: entry.name };
  return {
    id: modelIdFor(entry.variant, weights),
    label: compareModelLabel(entry.variant, weights),
    variant: entry.variant,
    source: async () => ({
      kind: 'files',
      origin: 'cache',
      name: entry.name,
      files: await readCachedWeights(entry.id),
    }),
  };
}

/** The active model as a compare model, when its weights are its own (loaded) and can be loaded again. */
export function activeCompareModel(
  s: Pick<AppState, 'summary' | 'weights' | 'activeModel'>,
): CompareModel | null {
  const { summary, weights, activeModel } = s;
  if (!summary || !weights || !activeModel) return null;
  if (weights.origin === 'random' || weights.origin === 'bundled') return null;
  return {
    id: modelIdFor(summary.variant, weights),
    label: compareModelLabel(summary.variant, weights),
    variant: summary.variant,
    source: activeModel.source,
  };
}

/**
 * Every model compare mode offers, each id once, in this order: the seeded variants, ResNet50 (when installed), the
 * active model's weights, weights active earlier in this session, then the cached ones. Where two name the same
 * id, the first wins: the active model's own source reads its weights without going through the cache.
 */
export function compareCandidates(
  s: Pick<
    AppState,
    'summary' | 'weights' | 'activeModel' | 'resnet50Installed' | 'cachedWeights' | 'sessionModels'
  >,
): CompareModel[] {
  const all: CompareModel[] = [
    ...BUILDABLE_VARIANT_IDS.map(seeded),
    ...(s.resnet50Installed ? [BUNDLED_RESNET50] : []),
    ...[activeCompareModel(s)].filter((m): m is CompareModel => m !== null),
    ...s.sessionModels,
    ...s.cachedWeights
      .filter((e): e is CachedWeights & { variant: VariantId } => e.variant !== undefined)
      .map(cached),
  ];
  const seen = new Set<string>();
  return all.filter((m) => !seen.has(m.id) && seen.add(m.id));
}

/** Cached weights written before their variant was recorded: they get an id once a load has told their variant. */
export function unidentifiedCachedWeights(s: Pick<AppState, 'cachedWeights'>): CachedWeights[] {
  return s.cachedWeights.filter((e) => e.variant === undefined);
}
