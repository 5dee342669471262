/**
 * Long jobs in one shape on both sides of the worker: how a cancelled job ends (an error by this name), so the
 * page tells a user's Cancel from a failure without sharing classes across the thread boundary.
 */

export const JOB_CANCELLED = 'JobCancelled';

export class JobCancelledError extends Error {
  constructor(what = 'The job') {
    super(`${what} was cancelled.`);
    this.name = JOB_CANCELLED;
  }
}

/** True for the error a cancelled job ends with, also after it crossed the worker boundary (name kept). */
export function isJobCancelled(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === JOB_CANCELLED;
}
