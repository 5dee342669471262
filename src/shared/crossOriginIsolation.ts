/**
 * The two headers that make a page cross-origin isolated, which is what lets the WASM backend use threads:
 * SharedArrayBuffer exists only in an isolated page. The servers' headers and the service worker share them.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
