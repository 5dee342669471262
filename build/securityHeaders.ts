import { WEIGHTS_PRESETS } from '../src/client/weightPresets.ts';

/**
 * Headers the app is served with, by `vite` (dev), `vite preview` and, through the `_headers` file that
 * build/headersFile.ts writes into dist/, static hosts that read one (Netlify, Cloudflare Pages): a static host
 * cannot be configured from vite.config.ts, so the production policy travels with the build.
 *
 * Cross-origin isolation (COOP + COEP) is what lets the WASM backend use threads: SharedArrayBuffer exists
 * only in an isolated page.
 */
export const crossOriginIsolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Hosts a weights hub redirects its downloads to, by the hub's host name. fetch() follows the redirect and
 * connect-src is checked again for every hop, so the preset's own origin alone would block the real
 * download. The Hugging Face hub answers `resolve/main/...` with a 302 to its LFS CDN (cdn-lfs.huggingface.co,
 * cdn-lfs-us-1.hf.co, ...) or, for Xet-backed repositories, to cas-bridge.xethub.hf.co; the CDN names
 * change over time but stay under these two domains, which the hub owns.
 */
export const WEIGHTS_REDIRECT_HOSTS: Readonly<Record<string, readonly string[]>> = {
  'huggingface.co': ['https://*.huggingface.co', 'https://*.hf.co'],
};

/**
 * The local stand-in for the hub that e2e/weightsServer.mjs serves for the weight-download tests. Listed only
 * in the `vite preview` policy (see vite.config.ts), never in dist/_headers. Any loopback port, not just
 * playwright.config.ts's 4174, so that a test run moved to other ports (WEIGHTS_PORT) still reaches it.
 */
export const E2E_WEIGHTS_ORIGINS: readonly string[] = ['http://127.0.0.1:*', 'http://localhost:*'];

/**
 * The extra connect-src origins of the `vite preview` policy: E2E_WEIGHTS_ORIGINS, or the space-separated
 * origins in the environment variable of that name (empty: none, for a preview that matches production).
 */
export function previewConnectSrc(env: Record<string, string | undefined> = process.env): readonly string[] {
  return env.E2E_WEIGHTS_ORIGINS?.split(/\s+/).filter(Boolean) ?? E2E_WEIGHTS_ORIGINS;
}

/** Where the app may fetch weights from: each preset's origin and the hosts its hub redirects to. */
export function weightsConnectSources(presetUrls: readonly string[] = WEIGHTS_PRESETS.map((p) => p.url)) {
  const sources: string[] = [];
  for (const url of presetUrls) {
    const { origin, hostname } = new URL(url);
    sources.push(origin, ...(WEIGHTS_REDIRECT_HOSTS[hostname] ?? []));
  }
  return [...new Set(sources)];
}

export interface PolicyOptions {
  /** Origins the page may fetch from besides itself and the weights hosts (the e2e weights server). */
  extraConnectSrc?: readonly string[];
  /**
   * The dev server's relaxations: Vite injects inline module scripts (React Refresh's preamble) and inline
   * <style> elements (CSS hot reload), and talks to the page over a WebSocket. Never used for a build.
   */
  dev?: boolean;
}

export type CspDirectives = Record<string, string[]>;

/** The Content-Security-Policy as data, one entry per directive, so tests can inspect it. */
export function cspDirectives({ extraConnectSrc = [], dev = false }: PolicyOptions = {}): CspDirectives {
  const directives: CspDirectives = {
    'default-src': ["'self'"],
    // Only the app's own module scripts run; no inline script, no eval. 'wasm-unsafe-eval' allows compiling
    // WebAssembly (TF.js's WASM backend) and nothing else. blob: is for tfjs-backend-wasm's threaded build:
    // each pthread worker is a blob: script that importScripts() another blob: holding the Emscripten factory.
    // Only script already running here can mint a blob: URL, so this admits no outside code.
    'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
    // The inference worker is a same-origin module; the pthread workers above are started from blob: URLs.
    'worker-src': ["'self'", 'blob:'],
    // The bundled ResNet50 under /models/ and the .wasm binaries are same-origin; weights come from the hub.
    'connect-src': ["'self'", ...weightsConnectSources(), ...extraConnectSrc],
    // Thumbnails and SVG renderings are object URLs; the favicon is an empty data: URL.
    'img-src': ["'self'", 'blob:', 'data:'],
    // The stylesheet is a file; React's style={} props go through CSSOM, which style-src does not govern.
    'style-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  if (dev) {
    directives['script-src']!.push("'unsafe-inline'");
    directives['style-src']!.push("'unsafe-inline'");
    directives['connect-src']!.push('ws:', 'wss:');
  }
  for (const [name, sources] of Object.entries(directives)) directives[name] = [...new Set(sources)];
  return directives;
}

export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

/** Every security header the app is served with. */
export function securityHeaders(options: PolicyOptions = {}): Record<string, string> {
  return {
    'Content-Security-Policy': serializeCsp(cspDirectives(options)),
    ...crossOriginIsolationHeaders,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** The `_headers` file of Netlify and Cloudflare Pages: a path pattern, then indented `Name: value` lines. */
export function headersFileText(headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => {
    if (/[\r\n]/.test(name + value)) throw new Error(`header ${name} spans lines`);
    return `  ${name}: ${value}`;
  });
  return [
    '# Generated from build/securityHeaders.ts by build/headersFile.ts at build time; edit those, not this.',
    '/*',
    ...lines,
    '',
  ].join('\n');
}
