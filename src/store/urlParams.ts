import { isBackendChoice } from '../shared/protocol';
import type { BackendChoice } from '../shared/protocol';
import { isVariantId } from '../shared/variants';
import type { VariantId } from '../shared/variants';

export interface UrlOptions {
  backend: BackendChoice;
  /** null: none asked for; the app picks (ResNet50 when installed, else ResNet18). */
  variant: VariantId | null;
}

/** `?backend=auto|webgl|webgpu|wasm|cpu` and `?model=resnet18|resnet34|resnet50`; anything else falls back to the defaults. */
export function parseUrlOptions(search: string): UrlOptions {
  const params = new URLSearchParams(search);
  const backend = params.get('backend');
  const model = params.get('model');
  return {
    backend: isBackendChoice(backend) ? backend : 'auto',
    variant: isVariantId(model) ? model : null,
  };
}

/** Keeps `?model=` in step with the active variant, so a reload comes back to the same model. */
export function withVariantInUrl(href: string, variant: VariantId): string {
  const url = new URL(href);
  url.searchParams.set('model', variant);
  return url.toString();
}

/** Keeps `?backend=` in step with the backend setting; `auto` is the default and needs no parameter. */
export function withBackendInUrl(href: string, backend: BackendChoice): string {
  const url = new URL(href);
  if (backend === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', backend);
  return url.toString();
}
