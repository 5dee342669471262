import { describe, expect, it } from 'vitest';

import { WEIGHTS_PRESETS } from '../src/client/weightPresets.ts';
import {
  E2E_WEIGHTS_ORIGINS,
  cspDirectives,
  headersFileText,
  previewConnectSrc,
  securityHeaders,
  serializeCsp,
} from './securityHeaders.ts';

/**
 * Does a CSP source match a URL? Enough of CSP3's matching for scheme-only sources (`https:`) and
 * scheme://host[:port] and *.host sources. 'self' is the app's own origin, here http://app.example.
 */
function sourceMatches(source: string, url: string): boolean {
  const target = new URL(url);
  if (source === "'self'") return target.protocol === 'http:' && target.host === 'app.example';
  if (/^[a-z][a-z0-9+.-]*:$/.test(source)) return target.protocol === source;
  const m = /^(https?):\/\/(\*\.)?([^/:]+)(?::(\d+|\*))?$/.exec(source);
  if (!m) return false;
  const [, scheme, wildcard, host, port] = m;
  if (`${scheme}:` !== target.protocol) return false;
  if (port !== '*' && (port ?? '') !== target.port) return false;
  return wildcard ? target.hostname.endsWith(`.${host}`) : target.hostname === host;
}

describe('the production Content-Security-Policy', () => {
  const csp = cspDirectives();

  it('runs no inline script and no eval, but compiles WebAssembly and starts the WASM pthread workers', () => {
    expect(csp['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
    expect(csp['worker-src']).toEqual(["'self'", 'blob:']);
    const all = Object.values(csp).flat();
    expect(all).not.toContain("'unsafe-inline'");
    expect(all).not.toContain("'unsafe-eval'");
    // No wildcard or bare scheme that would admit any host, except connect-src's https: (pinned below).
    const exceptConnect = Object.entries(csp)
      .filter(([name]) => name !== 'connect-src')
      .flatMap(([, sources]) => sources);
    for (const any of ['*', 'https:', 'http:']) expect(exceptConnect).not.toContain(any);
  });

  it('allows no inline style, plugins, framing, base or form targets', () => {
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(csp['form-action']).toEqual(["'none'"]);
    expect(csp['default-src']).toEqual(["'self'"]);
  });

  it('connects to itself and to any https: origin (weights, images by address), never to plain http:', () => {
    // Decided in issue #13: images are loaded from any address a user pastes, from hosts that allow it (CORS).
    expect(csp['connect-src']).toEqual(["'self'", 'https:']);
    const allowed = (url: string) => csp['connect-src']!.some((source) => sourceMatches(source, url));
    for (const preset of WEIGHTS_PRESETS) expect(allowed(preset.url), preset.url).toBe(true);
    for (const url of [
      'https://cdn-lfs.huggingface.co/repos/ab/cd/ef',
      'https://cas-bridge.xethub.hf.co/xet-bridge-us/abc',
      'https://upload.wikimedia.org/wikipedia/commons/a/a0/cat.jpg',
      'https://images.example:8443/x.png',
      'http://app.example/models/resnet50/model.json',
    ]) {
      expect(allowed(url), url).toBe(true);
    }
    for (const url of [
      'http://images.example/cat.jpg',
      'http://huggingface.co/x',
      'http://127.0.0.1:4174/cdn/resnet18.safetensors',
      'ws://evil.example/socket',
      'wss://evil.example/socket',
      'ftp://files.example/a.jpg',
      'data:image/png;base64,AAAA',
      'blob:http://app.example/123',
    ]) {
      expect(allowed(url), url).toBe(false);
    }
  });

  it('reads fetched images as blob: URLs: img-src stays the app and blob: only', () => {
    expect(csp['img-src']).toEqual(["'self'", 'blob:']);
  });

  it('serializes as one header line', () => {
    const line = serializeCsp(csp);
    expect(line).toMatch(/^default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; /);
    expect(line).not.toMatch(/[\r\n]|;\s*;|\s$/);
    expect(line.split('; ')).toHaveLength(Object.keys(csp).length);
  });
});

describe('variants of the policy', () => {
  it('the preview server adds only the given origins to connect-src', () => {
    const production = cspDirectives();
    const preview = cspDirectives({ extraConnectSrc: E2E_WEIGHTS_ORIGINS });
    expect(preview['connect-src']).toEqual([...production['connect-src']!, ...E2E_WEIGHTS_ORIGINS]);
    expect({ ...preview, 'connect-src': [] }).toEqual({ ...production, 'connect-src': [] });
  });

  it('the preview lists any loopback port (the e2e weights server), or what the environment says', () => {
    expect(previewConnectSrc({})).toEqual(['http://127.0.0.1:*', 'http://localhost:*']);
    expect(
      previewConnectSrc({ E2E_WEIGHTS_ORIGINS: ' http://127.0.0.1:4274  http://localhost:4274 ' }),
    ).toEqual(['http://127.0.0.1:4274', 'http://localhost:4274']);
    expect(previewConnectSrc({ E2E_WEIGHTS_ORIGINS: '' })).toEqual([]);
  });

  it("the dev server adds exactly what Vite's HMR needs", () => {
    const production = cspDirectives();
    const dev = cspDirectives({ dev: true });
    expect(dev['script-src']).toEqual([...production['script-src']!, "'unsafe-inline'"]);
    expect(dev['style-src']).toEqual([...production['style-src']!, "'unsafe-inline'"]);
    expect(dev['connect-src']).toEqual([...production['connect-src']!, 'ws:', 'wss:']);
  });
});

describe('securityHeaders and the _headers file', () => {
  it('sends the policy with cross-origin isolation', () => {
    const headers = securityHeaders();
    expect(headers).toMatchObject({
      'Content-Security-Policy': serializeCsp(cspDirectives()),
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('writes every header for every path in the Netlify / Cloudflare Pages format', () => {
    const headers = securityHeaders();
    const lines = headersFileText(headers).split('\n');
    expect(lines[0]).toMatch(/^# /);
    expect(lines[1]).toBe('/*');
    expect(lines.slice(2, -1)).toEqual(Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`));
    expect(lines.at(-1)).toBe('');
  });

  it('refuses a value that would break out of its line', () => {
    expect(() => headersFileText({ 'X-Test': 'a\n/evil\n  X: y' })).toThrow(/spans lines/);
  });
});
