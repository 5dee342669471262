/**
 * Which backbone a taught model runs on, as its file names it, and how this browser can have it again: the model
 * already active, a variant to load (the bundled ResNet50, seeded weights), weights kept in the cache, or none,
 * with a message that names the weights to load first.
 */
import type { WeightsOrigin, WeightsSource } from '../shared/protocol';
import { RESNET50_FETCH_HINT, RESNET50_SOURCE } from '../shared/resnet50Package';
import { VARIANTS } from '../shared/variants';
import type { VariantId } from '../shared/variants';
import type { TaughtBackbone } from './taughtModelFile';
import type { CachedWeights } from './weightsCache';

export type BackboneRoute =
  | { kind: 'active' }
  | { kind: 'variant'; variant: VariantId }
  | { kind: 'cached'; id: string }
  | { kind: 'missing'; message: string };

/** Weights read from a file, a URL or the cache are the same weights whichever way they came. */
const originGroup = (origin: WeightsOrigin) =>
  origin === 'random' || origin === 'bundled' ? origin : 'files';

/** The backbone a model with these weights is, as a taught model's file records it. */
export function taughtBackbone(variant: VariantId, weights: WeightsSource): TaughtBackbone {
  return {
    variant,
    origin: weights.origin,
    weightsName: weights.name,
    checksum: weights.origin === 'bundled' ? RESNET50_SOURCE.integrity : null,
  };
}

/** Whether a model of `variant` with `weights` is the backbone `needed`. */
export function isBackbone(
  needed: TaughtBackbone,
  variant: VariantId,
  weights: WeightsSource | null,
): boolean {
  return (
    weights !== null &&
    variant === needed.variant &&
    originGroup(weights.origin) === originGroup(needed.origin) &&
    weights.name === needed.weightsName
  );
}

/** In words, for messages: "ResNet18 with the weights from resnet18.safetensors". */
export function describeBackbone(b: TaughtBackbone): string {
  const label = VARIANTS[b.variant].label;
  if (b.origin === 'bundled') return `${label} with its ImageNet weights`;
  if (b.origin === 'random') return `${label} with seeded weights (${b.weightsName})`;
  return `${label} with the weights from ${b.weightsName}`;
}

export function backboneRoute(
  needed: TaughtBackbone,
  have: {
    variant: VariantId;
    weights: WeightsSource | null;
    resnet50Installed: boolean | null;
    cached: readonly CachedWeights[];
  },
): BackboneRoute {
  if (isBackbone(needed, have.variant, have.weights)) return { kind: 'active' };
  const missing = (what: string) => ({
    kind: 'missing' as const,
    message: `This model was taught on ${describeBackbone(needed)}, which this browser does not have: ${what}`,
  });
  if (needed.origin === 'bundled') {
    if (needed.checksum !== RESNET50_SOURCE.integrity)
      return missing('its ImageNet weights are another version than the ones this app serves.');
    return have.resnet50Installed ? { kind: 'variant', variant: 'resnet50' } : missing(RESNET50_FETCH_HINT);
  }
  if (needed.origin === 'random') return { kind: 'variant', variant: needed.variant };
  const entry = have.cached.find(
    (e) => e.name === needed.weightsName && (e.variant === undefined || e.variant === needed.variant),
  );
  return entry
    ? { kind: 'cached', id: entry.id }
    : missing(`load the weights from ${needed.weightsName} first (Weights), then import this file again.`);
}
