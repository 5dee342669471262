/** Downloading weights with progress and cancel, with errors a user can act on. */
import type { OnProgress } from '../shared/progress';

export class DownloadError extends Error {
  constructor(
    /** `blocked`: this page's Content-Security-Policy does not allow fetching from that host. */
    readonly code: 'http' | 'network' | 'cancelled' | 'bad-url' | 'blocked',
    message: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export function fileNameFromUrl(url: string): string {
  try {
    const { pathname, hostname } = new URL(url);
    const parts = pathname.split('/').filter(Boolean);
    // Hub URLs end in a generic name (model.safetensors); the repository name says more.
    const resolveAt = parts.indexOf('resolve');
    if (resolveAt >= 2) return `${parts.slice(0, resolveAt).join('/')}/${parts.at(-1) ?? ''}`;
    return parts.at(-1) ?? hostname;
  } catch {
    return url;
  }
}

function hostOf(uri: string): string | null {
  try {
    return new URL(uri).host;
  } catch {
    return null;
  }
}

/**
 * fetch() rejects a request the Content-Security-Policy refuses exactly as it rejects an unreachable server;
 * only the `securitypolicyviolation` event tells them apart. It is queued as its own task and may arrive after
 * the rejection, hence the short wait before giving up on it.
 */
export function watchConnectSrcViolations(): { blockedUri: () => Promise<string | null>; stop: () => void } {
  let blocked: string | null = null;
  const target = typeof globalThis.addEventListener === 'function' ? globalThis : null;
  const onViolation = (event: Event) => {
    const violation = event as SecurityPolicyViolationEvent;
    if (violation.effectiveDirective === 'connect-src') blocked = violation.blockedURI;
  };
  target?.addEventListener('securitypolicyviolation', onViolation);
  const stop = () => target?.removeEventListener('securitypolicyviolation', onViolation);
  return {
    stop,
    blockedUri: async () => {
      for (let waited = 0; blocked === null && target && waited < 200; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      stop();
      return blocked;
    },
  };
}

export async function downloadWeights(
  url: string,
  /** `total` comes from Content-Length; null (and an unknown fraction) when the server does not say. */
  onProgress: OnProgress,
  signal: AbortSignal,
): Promise<ArrayBuffer> {
  let parsed: URL;
  try {
    parsed = new URL(url, globalThis.location?.href);
  } catch {
    throw new DownloadError('bad-url', `"${url}" is not a valid URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new DownloadError('bad-url', `Only http(s) URLs can be downloaded (got ${parsed.protocol}).`);
  }
  let response: Response;
  const csp = watchConnectSrcViolations();
  try {
    response = await fetch(parsed, { signal, mode: 'cors', credentials: 'omit' });
  } catch (err) {
    if (signal.aborted) {
      csp.stop();
      throw new DownloadError('cancelled', 'Download cancelled.');
    }
    const blocked = await csp.blockedUri();
    if (blocked !== null) {
      const blockedHost = hostOf(blocked) ?? parsed.host;
      const where =
        blockedHost === parsed.host ? parsed.host : `${blockedHost} (where ${parsed.host} redirected)`;
      throw new DownloadError(
        'blocked',
        `This page's Content-Security-Policy does not allow downloads from ${where}; it allows https: addresses only. Download the file and open it instead.`,
      );
    }
    // fetch() gives no detail on purpose; these are the usual causes.
    throw new DownloadError(
      'network',
      `Could not reach ${parsed.host}: the network is offline, the server is down, or it does not allow downloads from this page (CORS). ${err instanceof Error ? `(${err.message})` : ''}`.trim(),
    );
  }
  csp.stop();
  if (!response.ok) {
    throw new DownloadError(
      'http',
      `The server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} for ${parsed.href}.`,
    );
  }
  const lengthHeader = response.headers.get('content-length');
  const total = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  const reader = response.body?.getReader();
  if (!reader) return response.arrayBuffer();

  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const message = `Downloading ${fileNameFromUrl(parsed.href)}`;
  const report = () => onProgress({ fraction: total ? loaded / total : null, message, loaded, total });
  report();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      report();
    }
  } catch (err) {
    if (signal.aborted) throw new DownloadError('cancelled', 'Download cancelled.');
    throw new DownloadError(
      'network',
      `The download from ${parsed.host} broke off after ${loaded} bytes${err instanceof Error ? ` (${err.message})` : ''}.`,
    );
  }
  if (total !== null && loaded !== total) {
    throw new DownloadError('network', `The download ended after ${loaded} of ${total} bytes.`);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}
