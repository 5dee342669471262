/** Downloading weights with progress and cancel, with errors a user can act on. */

export interface DownloadProgress {
  loaded: number;
  /** From Content-Length; null when the server does not say. */
  total: number | null;
}

export class DownloadError extends Error {
  constructor(
    readonly code: 'http' | 'network' | 'cancelled' | 'bad-url',
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

export async function downloadWeights(
  url: string,
  onProgress: (p: DownloadProgress) => void,
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
  try {
    response = await fetch(parsed, { signal, mode: 'cors', credentials: 'omit' });
  } catch (err) {
    if (signal.aborted) throw new DownloadError('cancelled', 'Download cancelled.');
    // fetch() gives no detail on purpose; these are the usual causes.
    throw new DownloadError(
      'network',
      `Could not reach ${parsed.host}: the network is offline, the server is down, or it does not allow downloads from this page (CORS). ${err instanceof Error ? `(${err.message})` : ''}`.trim(),
    );
  }
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
  onProgress({ loaded, total });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onProgress({ loaded, total });
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
