/**
 * Headers the app is served with, by `vite` (dev), `vite preview` and, through the generated `_headers` file,
 * static hosts that read one. Cross-origin isolation (COOP + COEP) is what lets the WASM backend use threads:
 * SharedArrayBuffer exists only in an isolated page.
 */
export const crossOriginIsolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
