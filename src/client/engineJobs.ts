/**
 * Long engine jobs as the page runs them: each gets an id, its progress events reach the caller's callback, and
 * an AbortSignal cancels it in the engine (it then rejects with JOB_CANCELLED, like a cancel by id).
 */
import { JobCancelledError } from '../shared/jobs';
import type { OnProgress } from '../shared/progress';
import type { EngineApi, JobId } from '../shared/protocol';
import { pacedProgress } from './progressPace';

export interface JobOptions {
  onProgress?: OnProgress;
  signal?: AbortSignal;
}

let nextJob = 1;

/** A fresh job id, unique on this page (ids outlive an engine: a job run again on a new engine gets a new one). */
export function newJobId(kind: string): JobId {
  return `${kind}-${nextJob++}`;
}

/**
 * Runs `call` as one job of `engine`: progress events for its id go to `onProgress` (at a reader's pace:
 * progressPace.ts) until it ends, and aborting `signal` asks the engine to cancel it (before or after it has
 * started).
 */
export async function runJob<T>(
  engine: EngineApi,
  kind: string,
  call: (job: JobId) => Promise<T>,
  { onProgress, signal }: JobOptions = {},
): Promise<T> {
  if (signal?.aborted) throw new JobCancelledError();
  const job = newJobId(kind);
  const paced = onProgress ? pacedProgress(onProgress) : null;
  const unsubscribe = paced
    ? engine.subscribe((event) => {
        if (event.type === 'progress' && event.job === job) paced.onProgress(event.progress);
      })
    : () => undefined;
  const cancel = () => void engine.cancel(job).catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await call(job);
  } finally {
    signal?.removeEventListener('abort', cancel);
    unsubscribe();
    paced?.stop();
  }
}
