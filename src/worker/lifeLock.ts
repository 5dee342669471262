/**
 * The worker's side of noticing that it died: it takes a Web Lock named after itself at start and never lets go.
 * The browser releases the lock when the worker's context is destroyed, however that happens; the page's
 * request for the same lock (client/workerLifeLock.ts) is granted exactly then.
 */

export function holdLifeLock(name: string): void {
  if (!name || typeof navigator === 'undefined' || !navigator.locks) return;
  void navigator.locks.request(name, () => new Promise<never>(() => undefined));
}
