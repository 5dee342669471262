import { describe, expect, it } from 'vitest';

import { Latest } from './latest';

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
