import { isBackendName } from '../inference/protocol';
import type { BackendName } from '../inference/protocol';
import { isVariantId } from '../model/variants';
import type { VariantId } from '../model/variants';

export interface UrlOptions {
  backend: BackendName;
  variant: VariantId;
}

/** `?backend=wasm|cpu|webgl` and `?model=resnet18|resnet34`; anything else falls back to the defaults. */
export function parseUrlOptions(search: string): UrlOptions {
  const params = new URLSearchParams(search);
  const backend = params.get('backend');
  const model = params.get('model');
  return {
    backend: isBackendName(backend) ? backend : 'webgl',
    variant: isVariantId(model) ? model : 'resnet18',
  };
}

/** Keeps `?model=` in step with the active variant, so a reload comes back to the same model. */
export function withVariantInUrl(href: string, variant: VariantId): string {
  const url = new URL(href);
  url.searchParams.set('model', variant);
  return url.toString();
}
