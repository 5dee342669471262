import { describe, expect, it } from 'vitest';

import { JobCancelledError } from '../shared/jobs';
import type { Progress } from '../shared/progress';
import { deferred } from '../testing/fakeEngine';
import type { Deferred } from '../testing/fakeEngine';
import type { JobOptions } from './engineJobs';
import { JobLanes } from './jobLanes';
import type { LaneJob } from './jobLanes';

type Lanes = { map: { request: string; result: string }; curve: { request: string; result: string } };

/** Lanes whose jobs wait for the test, and a host that keeps their state like the store does. */
function harness() {
  const jobs: Partial<Record<keyof Lanes, LaneJob<string, string> | null>> = {};
  const progress: ({ lane: keyof Lanes; progress: Progress } | null)[] = [];
  const released: string[] = [];
  const lanes = new JobLanes<Lanes>(
    {
      job: (lane) => jobs[lane] ?? null,
      setJob: (lane, job) => void (jobs[lane] = job),
      setProgress: (p) => void progress.push(p),
      release: (_lane, result) => void released.push(result),
    },
    ['map', 'curve'],
  );
  const calls: { request: string; options: Required<JobOptions>; answer: Deferred<string> }[] = [];
  const start = (lane: keyof Lanes, request: string) =>
    lanes.start(lane, request, (options) => {
      const answer = deferred<string>();
      calls.push({ request, options, answer });
      // An engine ends a cancelled job at its next step: here, as soon as it is aborted.
      options.signal.addEventListener('abort', () => answer.reject(new JobCancelledError()));
      return answer.promise;
    });
  const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  return { lanes, jobs, progress, released, calls, start, flush };
}

describe('JobLanes', () => {
  it('runs jobs one at a time, in order, each reporting its status and progress', async () => {
    const { jobs, progress, calls, start, flush } = harness();
    const map = start('map', 'gradcam');
    const curve = start('curve', 'deletion');
    await flush();
    expect(calls.map((c) => c.request)).toEqual(['gradcam']);
    expect(jobs.map?.status).toBe('running');
    expect(jobs.curve?.status).toBe('queued');
    calls[0]!.options.onProgress({ fraction: 0.5, message: 'half' });
    expect(progress.at(-1)).toEqual({ lane: 'map', progress: { fraction: 0.5, message: 'half' } });

    calls[0]!.answer.resolve('map result');
    await map;
    await flush();
    expect(jobs.map).toEqual({ request: 'gradcam', status: 'done', result: 'map result', error: null });
    expect(calls.map((c) => c.request)).toEqual(['gradcam', 'deletion']);
    calls[1]!.answer.resolve('curves');
    await curve;
    expect(jobs.curve?.status).toBe('done');
    expect(progress.at(-1)).toBeNull();
  });

  it("a lane's new job stops the running one in the engine and replaces it", async () => {
    const { jobs, calls, start, flush } = harness();
    const first = start('map', 'gradcam');
    await flush();
    const second = start('map', 'scorecam');
    expect(calls[0]!.options.signal.aborted).toBe(true);
    await first;
    await flush();
    expect(calls.map((c) => c.request)).toEqual(['gradcam', 'scorecam']);
    expect(jobs.map).toMatchObject({ request: 'scorecam', status: 'running' });
    calls[1]!.answer.resolve('scorecam map');
    await second;
    expect(jobs.map).toMatchObject({ request: 'scorecam', status: 'done', result: 'scorecam map' });
  });

  it('a job superseded while queued never runs', async () => {
    const { calls, start, flush } = harness();
    void start('map', 'gradcam');
    void start('curve', 'old');
    void start('curve', 'new');
    await flush();
    calls[0]!.answer.resolve('m');
    await flush();
    expect(calls.map((c) => c.request)).toEqual(['gradcam', 'new']);
  });

  it('an answer that comes after its job was dropped is released, never shown', async () => {
    const { lanes, jobs, released, flush } = harness();
    // An engine that answers before it sees the cancel.
    const answer = deferred<string>();
    const job = lanes.start('map', 'gradcam', () => answer.promise);
    await flush();
    lanes.drop('map');
    answer.resolve('late map');
    await job;
    expect(jobs.map).toBeNull();
    expect(released).toEqual(['late map']);
  });

  it('cancelAll ends running and queued jobs as cancelled, not as errors', async () => {
    const { lanes, jobs, calls, start, flush } = harness();
    const map = start('map', 'gradcam');
    const curve = start('curve', 'deletion');
    await flush();
    lanes.cancelAll();
    await map;
    await curve;
    expect(jobs.map?.status).toBe('cancelled');
    expect(jobs.curve?.status).toBe('cancelled');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.options.signal.aborted).toBe(true);
  });

  it('a failing job keeps its message; a done one is released when dropped', async () => {
    const { lanes, jobs, released, calls, start, flush } = harness();
    const map = start('map', 'gradcam');
    await flush();
    calls[0]!.answer.reject(new Error('kernel failed'));
    await map;
    expect(jobs.map).toMatchObject({ status: 'error', error: 'kernel failed' });
    const again = start('map', 'gradcam');
    await flush();
    calls[1]!.answer.resolve('good map');
    await again;
    lanes.drop('map');
    expect(released).toEqual(['good map']);
  });
});
