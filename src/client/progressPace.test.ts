import { describe, expect, it } from 'vitest';

import type { Progress } from '../shared/progress';
import { pacedProgress } from './progressPace';

/** A clock the test moves by hand: timers run when `advance` passes their time. */
function manualClock() {
  let now = 0;
  const timers: { at: number; run: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout: (run: () => void, ms: number) => {
      const id = nextId++;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout: (id: unknown) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)) {
        timers.splice(timers.indexOf(t), 1);
        t.run();
      }
    },
    pending: () => timers.length,
  };
}

const at = (fraction: number): Progress => ({ fraction, message: `${fraction}` });

describe('pacedProgress', () => {
  it('passes the first event at once and then the latest of each interval', () => {
    const clock = manualClock();
    const seen: (number | null)[] = [];
    const paced = pacedProgress((p) => seen.push(p.fraction), 500, clock);
    paced.onProgress(at(0.1));
    expect(seen).toEqual([0.1]);
    clock.advance(100);
    paced.onProgress(at(0.2));
    clock.advance(100);
    paced.onProgress(at(0.3));
    expect(seen).toEqual([0.1]);
    clock.advance(300);
    expect(seen).toEqual([0.1, 0.3]);
    // Quiet for longer than the interval: the next event goes at once again.
    clock.advance(1000);
    paced.onProgress(at(0.4));
    expect(seen).toEqual([0.1, 0.3, 0.4]);
  });

  it('draws at most once per interval however many events come', () => {
    const clock = manualClock();
    const seen: number[] = [];
    const paced = pacedProgress(() => seen.push(clock.now()), 500, clock);
    for (let i = 0; i < 200; i++) {
      paced.onProgress(at(i / 200));
      clock.advance(10);
    }
    clock.advance(500);
    expect(seen.length).toBeLessThanOrEqual(5);
    seen.slice(1).forEach((t, i) => expect(t - seen[i]!).toBeGreaterThanOrEqual(500));
  });

  it('sends nothing after stop, and leaves no timer behind', () => {
    const clock = manualClock();
    const seen: (number | null)[] = [];
    const paced = pacedProgress((p) => seen.push(p.fraction), 500, clock);
    paced.onProgress(at(0.1));
    paced.onProgress(at(0.2));
    expect(clock.pending()).toBe(1);
    paced.stop();
    expect(clock.pending()).toBe(0);
    clock.advance(1000);
    paced.onProgress(at(0.3));
    expect(seen).toEqual([0.1]);
  });
});
