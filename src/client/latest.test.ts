import { describe, expect, it } from 'vitest';

import { Latest, LatestJob } from './latest';

describe('Latest', () => {
  it('lets only the newest request apply its answer', () => {
    const latest = new Latest();
    const first = latest.begin();
    const second = latest.begin();
    expect(first()).toBe(false);
    expect(second()).toBe(true);
  });

  it('makes every request stale on supersede', () => {
    const latest = new Latest();
    const request = latest.begin();
    latest.supersede();
    expect(request()).toBe(false);
  });

  it('a check of the present stays true until something new begins', () => {
    const latest = new Latest();
    latest.begin();
    const now = latest.current();
    expect(now()).toBe(true);
    latest.begin();
    expect(now()).toBe(false);
  });
});

describe('LatestJob', () => {
  it('aborts the job before and makes it stale when the next begins', () => {
    const jobs = new LatestJob();
    const first = jobs.begin();
    const second = jobs.begin();
    expect(first.signal.aborted).toBe(true);
    expect(first.isCurrent()).toBe(false);
    expect(second.signal.aborted).toBe(false);
    expect(second.isCurrent()).toBe(true);
  });

  it('stops the job under way, and stopping again is harmless', () => {
    const jobs = new LatestJob();
    const job = jobs.begin();
    jobs.stop();
    jobs.stop();
    expect(job.signal.aborted).toBe(true);
    expect(job.isCurrent()).toBe(false);
  });
});
