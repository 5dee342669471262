import { describe, expect, it, vi } from 'vitest';

import { isJobCancelled } from '../shared/jobs';
import type { EngineApi, EngineEvent, JobId } from '../shared/protocol';
import { runJob } from './engineJobs';

/** Just the event channel and cancel of an engine. */
function eventEngine() {
  const listeners = new Set<(event: EngineEvent) => void>();
  const cancelled: JobId[] = [];
  const engine = {
    subscribe: (listener: (event: EngineEvent) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancel: vi.fn(async (job: JobId) => void cancelled.push(job)),
  } as unknown as EngineApi;
  const emit = (event: EngineEvent) => listeners.forEach((l) => l(event));
  return { engine, emit, cancelled, listeners };
}

describe('runJob', () => {
  it("routes only its own job's progress to its callback, and stops listening when it ends", async () => {
    const { engine, emit, listeners } = eventEngine();
    const seen: string[] = [];
    let release!: (value: string) => void;
    const running = runJob(
      engine,
      'explain',
      (job) => {
        emit({ type: 'progress', job, progress: { fraction: 0.5, message: 'mine' } });
        emit({ type: 'progress', job: 'other-1', progress: { fraction: 0.1, message: 'theirs' } });
        emit({ type: 'memory', memory: { numTensors: 1, numBytes: 4 } });
        return new Promise<string>((resolve) => (release = resolve));
      },
      { onProgress: (p) => seen.push(p.message) },
    );
    await Promise.resolve();
    release('done');
    await expect(running).resolves.toBe('done');
    expect(seen).toEqual(['mine']);
    expect(listeners.size).toBe(0);
  });

  it('gives each job a new id', async () => {
    const { engine } = eventEngine();
    const ids: JobId[] = [];
    await runJob(engine, 'load', async (job) => void ids.push(job));
    await runJob(engine, 'load', async (job) => void ids.push(job));
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toMatch(/^load-/);
  });

  it('cancels the job in the engine by its id when the signal aborts', async () => {
    const { engine, cancelled } = eventEngine();
    const controller = new AbortController();
    let jobId: JobId | null = null;
    const running = runJob(
      engine,
      'sanity',
      (job) => {
        jobId = job;
        return new Promise<void>(() => undefined);
      },
      { signal: controller.signal },
    );
    controller.abort();
    await Promise.resolve();
    expect(cancelled).toEqual([jobId]);
    void running;
  });

  it('does not start at all when the signal has already aborted', async () => {
    const { engine } = eventEngine();
    const call = vi.fn(async () => 'ran');
    const controller = new AbortController();
    controller.abort();
    const err = await runJob(engine, 'x', call, { signal: controller.signal }).catch((e: unknown) => e);
    expect(isJobCancelled(err)).toBe(true);
    expect(call).not.toHaveBeenCalled();
  });
});
