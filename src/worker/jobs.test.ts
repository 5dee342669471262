import { describe, expect, it } from 'vitest';

import { Jobs } from './jobs';

describe('Jobs', () => {
  it('cancels a running job by id, and only that one', () => {
    const jobs = new Jobs();
    const a = jobs.open('a');
    const b = jobs.open('b');
    jobs.cancel('a');
    expect(a.cancelled).toBe(true);
    expect(b.cancelled).toBe(false);
  });

  it('remembers a cancel that arrives before its job, so the job starts cancelled', () => {
    const jobs = new Jobs();
    jobs.cancel('early');
    expect(jobs.open('early').cancelled).toBe(true);
    // Used once: the same id opened again (a new job) starts fresh.
    expect(jobs.open('early').cancelled).toBe(false);
  });

  it('forgets the oldest early cancels beyond its bound', () => {
    const jobs = new Jobs();
    for (let i = 0; i < 100; i++) jobs.cancel(`j${i}`);
    expect(jobs.open('j0').cancelled).toBe(false);
    expect(jobs.open('j99').cancelled).toBe(true);
  });

  it('a job without an id is never cancelled by id, but by cancelAll', () => {
    const jobs = new Jobs();
    const anonymous = jobs.open(undefined);
    const named = jobs.open('n');
    jobs.cancelAll();
    expect(anonymous.cancelled).toBe(false);
    expect(named.cancelled).toBe(true);
  });

  it('a closed job is no longer reachable; a late cancel for it is remembered as early', () => {
    const jobs = new Jobs();
    const signal = jobs.open('x');
    jobs.close('x');
    jobs.cancel('x');
    expect(signal.cancelled).toBe(false);
  });
});
