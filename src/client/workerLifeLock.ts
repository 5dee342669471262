/**
 * Noticing that a worker died. A terminated or crashed worker sends nothing, and a call in flight to it would
 * wait forever. The worker takes a Web Lock named after itself at start and never lets go; the browser releases
 * it when the worker's context is destroyed, which is exactly when the page's request for the same lock is
 * granted.
 */

export function holdLifeLock(name: string): void {
  if (!name || typeof navigator === 'undefined' || !navigator.locks) return;
  void navigator.locks.request(name, () => new Promise<never>(() => undefined));
}

/**
 * Calls `onDeath` once the worker holding `name` is gone. Call only after the worker has run its module (e.g.
 * after its first answer), or the page could be granted the lock first. Returns a function that stops
 * watching (for a worker we retire ourselves).
 */
export function watchLifeLock(name: string, onDeath: () => void): () => void {
  if (typeof navigator === 'undefined' || !navigator.locks) return () => undefined;
  const stop = new AbortController();
  navigator.locks
    .request(name, { signal: stop.signal }, () => {
      onDeath();
    })
    .catch(() => undefined); // aborted: we stopped watching
  return () => stop.abort();
}

export function lifeLockName(): string {
  return `inference-${crypto.randomUUID()}`;
}
