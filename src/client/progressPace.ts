/**
 * Progress at the pace a person reads it. Without a GPU the page is drawn on the cores the model computes on,
 * and every bar or percentage that changes costs a repaint there, so a long job's progress reaches the page at
 * most once per interval: the first event at once, then the latest of each interval, none after `stop`.
 */
import type { OnProgress, Progress } from '../shared/progress';

/** How often a long job's progress is drawn: often enough to look alive, rarely enough to cost nothing. */
export const PROGRESS_INTERVAL_MS = 500;

export interface PacedProgress {
  readonly onProgress: OnProgress;
  /** Drops any event still waiting (the job has ended: its result replaces its progress). */
  stop(): void;
}

interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

export function pacedProgress(
  onProgress: OnProgress,
  intervalMs = PROGRESS_INTERVAL_MS,
  clock: Clock = realClock,
): PacedProgress {
  let lastSent = -Infinity;
  let waiting: Progress | null = null;
  let timer: unknown = null;
  let stopped = false;

  const send = (progress: Progress) => {
    lastSent = clock.now();
    onProgress(progress);
  };
  const flush = () => {
    timer = null;
    const next = waiting;
    waiting = null;
    if (next && !stopped) send(next);
  };

  return {
    onProgress: (progress) => {
      if (stopped) return;
      const since = clock.now() - lastSent;
      if (since >= intervalMs && timer === null) {
        send(progress);
        return;
      }
      waiting = progress;
      timer ??= clock.setTimeout(flush, Math.max(0, intervalMs - since));
    },
    stop: () => {
      stopped = true;
      waiting = null;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}
