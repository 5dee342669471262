import { RESNET50_MODEL_URL } from '../model/resnet50';

/** Where the install step put ResNet50, and whether it is there. No TF.js here: the page itself uses this. */

/** Where the served model.json is, as an absolute URL (workers resolve relative URLs against their script). */
export function bundledResNet50Url(base: string, href: string): string {
  return new URL(`${base.replace(/\/?$/, '/')}${RESNET50_MODEL_URL}`, href).href;
}

/**
 * Whether the install step put the model in place. A static server answers a missing file with the app's
 * index.html (SPA fall-back), so only a JSON answer counts.
 */
export async function isBundledResNet50Installed(modelUrl: string): Promise<boolean> {
  try {
    const res = await fetch(modelUrl, { method: 'HEAD' });
    return res.ok && (res.headers.get('content-type') ?? '').includes('json');
  } catch {
    return false;
  }
}
