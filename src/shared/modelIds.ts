/**
 * The id a model goes by in compare mode and in links: the variant, then `:` and a short name for its weights when
 * they are not the ones the variant comes with (seeded for ResNet18/34, ImageNet-trained for ResNet50).
 */
import type { WeightsSource } from './protocol';
import type { VariantId } from './variants';

/** The most characters a weights name keeps in an id (permalink.ts's MODEL_ID allows 64). */
const MAX_SLUG = 64;

/** File names that say nothing about the weights: a Hugging Face URL is then named by its repository. */
const GENERIC_FILE = /^(model|pytorch_model|weights?)\.[a-z0-9]+$/i;

/** The part of a weights name (a file name, a list of them, or a URL) that tells one set of weights from another. */
function meaningfulPart(name: string): string {
  let url: URL | null = null;
  try {
    url = /^https?:\/\//i.test(name) ? new URL(name) : null;
  } catch {
    url = null;
  }
  if (!url) return name.split(',')[0]!.trim();
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const file = segments.at(-1) ?? url.hostname;
  // huggingface.co/<owner>/<repo>/resolve/<revision>/<file>: the repository is the weights' name.
  const resolveAt = segments.indexOf('resolve');
  if (GENERIC_FILE.test(file) && resolveAt >= 2) return segments[resolveAt - 1]!;
  return file;
}

/**
 * A weights name as a model id carries it: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at
 * most 64 characters. "https://huggingface.co/timm/resnet18.tv_in1k/resolve/main/model.safetensors" becomes
 * "resnet18.tv_in1k"; "my weights (v2).pth" becomes "my-weights-v2-.pth".
 */
export function weightsSlug(name: string): string {
  const slug = meaningfulPart(name)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_SLUG);
  return slug === '' ? 'weights' : slug;
}

/** The id of `variant` with `weights`: the bare variant for its own weights (seeded or bundled). */
export function modelIdFor(
  variant: VariantId,
  weights: Pick<WeightsSource, 'origin' | 'name'> | null,
): string {
  if (!weights || weights.origin === 'random' || weights.origin === 'bundled') return variant;
  return `${variant}:${weightsSlug(weights.name)}`;
}
