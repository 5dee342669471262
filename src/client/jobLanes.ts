/**
 * Long jobs in lanes, run one at a time: each lane holds at most one job (a new one supersedes the lane's older
 * one, stopping it in the engine if it runs), Cancel stops everything, and the owner is told of every change.
 * Explanations use it (a map, its faithfulness curves, the method comparison, the sanity check), so Cancel always
 * knows which job the engine is on.
 */
import { isJobCancelled } from '../shared/jobs';
import type { Progress } from '../shared/progress';
import { SerialQueue } from '../shared/serialQueue';
import type { JobOptions } from './engineJobs';
import { Latest } from './latest';

/** `queued`: waiting for another lane's job to finish (the engine runs them one at a time). */
export type LaneJobStatus = 'queued' | 'running' | 'done' | 'cancelled' | 'error';

export interface LaneJob<Req, Res> {
  request: Req;
  status: LaneJobStatus;
  result: Res | null;
  error: string | null;
}

/** Each lane's request and result types. */
export type LaneTypes = Record<string, { request: unknown; result: unknown }>;

export type LaneJobOf<T extends LaneTypes, L extends keyof T> = LaneJob<T[L]['request'], T[L]['result']>;

/** What the lanes report to, and ask of, their owner (the store). */
export interface JobLanesHost<T extends LaneTypes> {
  job<L extends keyof T>(lane: L): LaneJobOf<T, L> | null;
  setJob<L extends keyof T>(lane: L, job: LaneJobOf<T, L> | null): void;
  /** The job the engine is on and its latest progress; null when none is. */
  setProgress(progress: { lane: keyof T; progress: Progress } | null): void;
  /** Frees what a result holds that the garbage collector would not free promptly (bitmaps). */
  release<L extends keyof T>(lane: L, result: T[L]['result']): void;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class JobLanes<T extends LaneTypes> {
  private readonly latest = new Map<keyof T, Latest>();
  private queue = new SerialQueue();
  private running: { lane: keyof T; abort: AbortController } | null = null;
  private progressLane: keyof T | null = null;

  constructor(
    private readonly host: JobLanesHost<T>,
    private readonly lanes: readonly (keyof T)[],
  ) {
    for (const lane of lanes) this.latest.set(lane, new Latest());
  }

  /** The lane's job, queued behind the others; superseding the lane's older job. Resolves once it has ended. */
  start<L extends keyof T>(
    lane: L,
    request: T[L]['request'],
    call: (options: Required<JobOptions>) => Promise<T[L]['result']>,
  ): Promise<void> {
    this.drop(lane);
    const isCurrent = this.latest.get(lane)!.begin();
    this.host.setJob(lane, { request, status: 'queued', result: null, error: null });
    return this.queue.run(async () => {
      if (!isCurrent()) return; // superseded or cancelled before its turn
      const abort = new AbortController();
      const me = { lane, abort };
      this.running = me;
      this.patch(lane, { status: 'running' });
      this.showProgress(lane, { fraction: null, message: 'Starting' });
      try {
        const result = await call({
          signal: abort.signal,
          onProgress: (progress) => {
            if (isCurrent()) this.showProgress(lane, progress);
          },
        });
        if (!isCurrent()) {
          this.host.release(lane, result);
          return;
        }
        this.patch(lane, { status: 'done', result });
      } catch (err) {
        if (!isCurrent()) return;
        this.patch(
          lane,
          isJobCancelled(err) ? { status: 'cancelled' } : { status: 'error', error: errorText(err) },
        );
      } finally {
        if (this.running === me) this.running = null;
        if (isCurrent() && this.progressLane === lane) this.showProgress(null);
      }
    });
  }

  /** Forgets a lane's job: its answer, if one still comes, is dropped; it is stopped if the engine is on it. */
  drop(lane: keyof T): void {
    this.latest.get(lane)!.supersede();
    if (this.running?.lane === lane) this.running.abort.abort();
    const job = this.host.job(lane);
    if (job?.result) this.host.release(lane, job.result);
    this.host.setJob(lane, null);
    if (this.progressLane === lane) this.showProgress(null);
  }

  /** Stops every job, running or waiting; they end `cancelled`, not as errors. */
  cancelAll(): void {
    for (const lane of this.lanes) {
      const job = this.host.job(lane);
      if (job?.status === 'queued' || job?.status === 'running') {
        this.latest.get(lane)!.supersede();
        this.patch(lane, { status: 'cancelled' });
      }
    }
    this.running?.abort.abort();
    this.showProgress(null);
  }

  /**
   * Drops every job, and starts a fresh queue: a job stuck on a retired engine must not hold up the next
   * image's.
   */
  reset(): void {
    this.lanes.forEach((lane) => this.drop(lane));
    this.queue = new SerialQueue();
    this.showProgress(null);
  }

  private patch<L extends keyof T>(lane: L, patch: Partial<LaneJobOf<T, L>>): void {
    const job = this.host.job(lane);
    if (job) this.host.setJob(lane, { ...job, ...patch });
  }

  private showProgress(lane: keyof T | null, progress?: Progress): void {
    this.progressLane = lane;
    this.host.setProgress(lane === null || !progress ? null : { lane, progress });
  }
}
