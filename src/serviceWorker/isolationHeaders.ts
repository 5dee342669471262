/**
 * Makes a response from the service worker's cache carry the cross-origin isolation headers. The cache keeps
 * whatever the host sent when it was filled; a page answered without them would lose SharedArrayBuffer, and
 * with it the threaded WASM backend, offline only, where nobody would think to look.
 */
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../shared/crossOriginIsolation';

export function withIsolationHeaders(response: Response): Response {
  const missing = Object.entries(CROSS_ORIGIN_ISOLATION_HEADERS).filter(
    ([name]) => !response.headers.has(name),
  );
  // An opaque response's headers cannot be read or changed, and a cross-origin one is not the page's own.
  if (missing.length === 0 || response.type === 'opaque' || response.type === 'opaqueredirect')
    return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of missing) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
