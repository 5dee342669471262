/**
 * Headers the app is served with, by `vite` (dev), `vite preview` and, through the `_headers` file that
 * build/headersFile.ts writes into dist/, static hosts that read one (Netlify, Cloudflare Pages): a static host
 * cannot be configured from vite.config.ts, so the production policy travels with the build.
 */
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../src/shared/crossOriginIsolation.ts';

/**
 * The local stand-in for the hub that e2e/weightsServer.mjs serves for the weight-download tests, and the image
 * servers e2e/intake.spec.ts starts on ephemeral ports: plain http:, which production never allows. Listed only
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

export interface PolicyOptions {
  /** Origins the page may fetch from besides itself and https: (the e2e weights and image servers, on http:). */
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
    // The bundled ResNet50 under /models/ and the .wasm binaries are same-origin. Weights (from the hub, its CDN
    // or any host the user names) and images loaded by their address come from whichever https origin the user
    // gives, so any https: origin may be read, if it allows it (CORS); plain http: never. The page sends no
    // cookies with these (credentials 'omit'); what limits exfiltration instead is script-src: only the app's own
    // scripts run, with no inline script, no eval and no third-party code (docs/hardening.md, "Why connect-src
    // allows https:").
    'connect-src': ["'self'", 'https:', ...extraConnectSrc],
    // Thumbnails, SVG renderings and images loaded by their address are object URLs; the icons are files.
    'img-src': ["'self'", 'blob:'],
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
    ...CROSS_ORIGIN_ISOLATION_HEADERS,
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
