/** Where each variant's model comes from, as the page asks the engine for it; and whether ResNet50 was installed. */
import type { ModelSource } from '../shared/protocol';
import { RESNET50_MODEL_URL } from '../shared/resnet50Package';
import { isBuildableVariant } from '../shared/variants';
import type { VariantId } from '../shared/variants';

/** Where the served model.json is, as an absolute URL (workers resolve relative URLs against their script). */
export function bundledResNet50Url(base: string, href: string): string {
  return new URL(`${base.replace(/\/?$/, '/')}${RESNET50_MODEL_URL}`, href).href;
}

/**
 * Whether the install step put the model in place. A static server answers a missing file with the app's
 * index.html (SPA fall-back), so only a JSON answer counts. A GET, not a HEAD: the service worker precaches
 * model.json and answers GETs only, so that offline the answer is still yes (the weights are in IndexedDB).
 */
export async function isBundledResNet50Installed(modelUrl: string): Promise<boolean> {
  try {
    const res = await fetch(modelUrl);
    void res.body?.cancel().catch(() => undefined);
    return res.ok && (res.headers.get('content-type') ?? '').includes('json');
  } catch {
    return false;
  }
}

/** ResNet18/34 with seeded weights (untrained); ResNet50 from the served ImageNet-trained model. */
export function variantSource(variant: VariantId, resnet50Url: string): ModelSource {
  return isBuildableVariant(variant)
    ? { kind: 'random', variant }
    : { kind: 'bundled', variant, modelUrl: resnet50Url };
}
