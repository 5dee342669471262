/**
 * How a long explanation reports progress and learns it was cancelled. The worker handles one message at a time,
 * so a loop must yield (a macrotask, not a microtask) for a cancel message to be read at all.
 */
import { JobCancelledError } from '../shared/jobs';
import type { OnProgress } from '../shared/progress';

export interface RunControl {
  onProgress: OnProgress;
  /** Set by whoever cancels; read at every checkpoint. */
  readonly signal: { cancelled: boolean };
  /**
   * Awaited at every checkpoint before the signal is read: an end-to-end test holds a run here (the worker's test
   * gate), so that it can change things while the run is certainly mid-way, however fast the machine.
   */
  readonly pause?: () => Promise<void>;
}

/** A control that never cancels and reports nowhere (tests, quick methods). */
export function quietControl(): RunControl {
  return { onProgress: () => undefined, signal: { cancelled: false } };
}

/** Lets queued messages (a cancel) in, waits while a test holds the run, then throws if it was cancelled. */
export async function checkpoint(control: RunControl): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  await control.pause?.();
  if (control.signal.cancelled) throw new JobCancelledError('The explanation');
}

/**
 * Runs `count` items in batches sized so that one batch takes about `targetMs` (cancel stays responsive on a slow
 * backend, batching pays off on a fast one): the first batch is one item, later ones scale by its measured time.
 */
export async function inBatches(
  count: number,
  control: RunControl,
  message: string,
  runBatch: (start: number, size: number) => Promise<void>,
  targetMs = 250,
): Promise<void> {
  let size = 1;
  for (let start = 0; start < count;) {
    await checkpoint(control);
    const n = Math.min(size, count - start);
    const began = performance.now();
    await runBatch(start, n);
    const perItem = (performance.now() - began) / n;
    start += n;
    control.onProgress({ fraction: start / count, message: `${message} ${start}/${count}` });
    size = Math.max(1, Math.min(32, Math.floor(targetMs / Math.max(perItem, 1e-3))));
  }
}
