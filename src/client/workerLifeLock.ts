/**
 * The page's side of noticing that the worker died: a terminated or crashed worker sends nothing, and a call in
 * flight to it would wait forever. The worker holds a Web Lock named after itself (worker/lifeLock.ts); the page
 * asks for the same lock and is granted it exactly when the worker is gone.
 */

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
