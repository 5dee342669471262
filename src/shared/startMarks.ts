/**
 * The moments of a visit's start the app marks with the User Timing API, on the page and in the worker, under one
 * prefix: the bench reads them (docs/performance.md) to say where the time to a ready model goes. A mark costs
 * microseconds and is kept only in the thread's own performance timeline.
 */
export const START_MARK_PREFIX = 'resnet-lens:';

/** In the order they happen on a visit; which thread marks each is in its comment. */
export type StartMark =
  /** Page: the engine's worker is asked for. */
  | 'engine-requested'
  /** Worker: its script is running. */
  | 'worker-started'
  /** Worker: the TF.js backend is ready. */
  | 'backend-ready'
  /** Worker: a stored model's record has been read from IndexedDB. */
  | 'weights-read'
  /** Worker: its checksum matched. */
  | 'weights-checked'
  /** Worker: the layers model is built with its weights. */
  | 'model-built'
  /** Worker: the warm-up classification is done. */
  | 'warmed-up'
  /** Worker: the model's handle is answered. */
  | 'model-loaded'
  /** Page: the model is shown as ready. */
  | 'model-ready';

/** Marks `mark` in this thread's performance timeline (the page's or the worker's). */
export function markStart(mark: StartMark): void {
  performance.mark(START_MARK_PREFIX + mark);
}
