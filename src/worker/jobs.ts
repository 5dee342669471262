/**
 * The engine's running and waiting jobs by the page's id: each gets a signal that `cancel` sets, also before the
 * job's turn comes (it then never starts). Sequencing is the page's; this only carries the cancels.
 */
import type { JobId } from '../shared/protocol';

export interface JobSignal {
  cancelled: boolean;
}

/** Cancels that arrived for jobs not seen yet (or already ended): kept a while, bounded. */
const REMEMBERED_CANCELS = 64;

export class Jobs {
  private readonly signals = new Map<JobId, JobSignal>();
  private readonly cancelledEarly = new Set<JobId>();

  /** The job's signal, made when its request arrives (before it waits for its turn). */
  open(job: JobId | undefined): JobSignal {
    const signal = { cancelled: job !== undefined && this.cancelledEarly.delete(job) };
    if (job !== undefined) this.signals.set(job, signal);
    return signal;
  }

  close(job: JobId | undefined): void {
    if (job !== undefined) this.signals.delete(job);
  }

  cancel(job: JobId): void {
    const signal = this.signals.get(job);
    if (signal) {
      signal.cancelled = true;
      return;
    }
    this.cancelledEarly.add(job);
    if (this.cancelledEarly.size > REMEMBERED_CANCELS) {
      this.cancelledEarly.delete(this.cancelledEarly.values().next().value!);
    }
  }

  cancelAll(): void {
    for (const signal of this.signals.values()) signal.cancelled = true;
  }
}
