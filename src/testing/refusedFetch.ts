/**
 * A fetch that the page's Content-Security-Policy refuses, as a browser does it: fetch rejects with a bare
 * TypeError, and the securitypolicyviolation event naming the blocked address follows as its own task.
 */
import { vi } from 'vitest';

export function stubFetchRefusedByPolicy(blockedURI: string): void {
  const events = new EventTarget();
  vi.stubGlobal('addEventListener', events.addEventListener.bind(events));
  vi.stubGlobal('removeEventListener', events.removeEventListener.bind(events));
  vi.stubGlobal('fetch', () => {
    setTimeout(() => {
      const violation = Object.assign(new Event('securitypolicyviolation'), {
        effectiveDirective: 'connect-src',
        blockedURI,
      });
      events.dispatchEvent(violation);
    }, 5);
    return Promise.reject(new TypeError('Failed to fetch'));
  });
}
