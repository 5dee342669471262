/** Waiting for the page to draw what was just changed, before work that would compete with the drawing. */

/** The longest wait: a page that draws no frames (hidden, or throttled) must not hold the work back. */
const MAX_WAIT_MS = 50;

/**
 * Resolves after the next frame is drawn (a task queued from its animation-frame callback runs once the frame is
 * committed), or after MAX_WAIT_MS if no frame comes.
 */
export function afterNextPaint(): Promise<void> {
  // Where nothing draws (no requestAnimationFrame: the unit tests), there is nothing to wait for.
  if (typeof requestAnimationFrame === 'undefined') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, MAX_WAIT_MS);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}
