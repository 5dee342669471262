import { describe, expect, it } from 'vitest';

import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../shared/crossOriginIsolation';
import { withIsolationHeaders } from './isolationHeaders';

describe('withIsolationHeaders', () => {
  it('adds COOP and COEP to a cached response that lacks them, keeping its body, status and other headers', async () => {
    const cached = new Response('<!doctype html>', {
      status: 200,
      statusText: 'OK',
      headers: { 'Content-Type': 'text/html', 'Content-Security-Policy': "default-src 'self'" },
    });
    const served = withIsolationHeaders(cached);
    for (const [name, value] of Object.entries(CROSS_ORIGIN_ISOLATION_HEADERS)) {
      expect(served.headers.get(name)).toBe(value);
    }
    expect(served.headers.get('Content-Security-Policy')).toBe("default-src 'self'");
    expect(served.headers.get('Content-Type')).toBe('text/html');
    expect(served.status).toBe(200);
    expect(await served.text()).toBe('<!doctype html>');
  });

  it('leaves a response that has them alone, and never weakens a stricter value the host sent', () => {
    const cached = new Response('x', {
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'credentialless',
      },
    });
    const served = withIsolationHeaders(cached);
    expect(served).toBe(cached);
    expect(served.headers.get('Cross-Origin-Embedder-Policy')).toBe('credentialless');
  });

  it('adds only the one that is missing', () => {
    const served = withIsolationHeaders(
      new Response('x', { headers: { 'Cross-Origin-Opener-Policy': 'same-origin' } }),
    );
    expect(served.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(served.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });
});
