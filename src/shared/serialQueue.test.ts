import { describe, expect, it } from 'vitest';

import { SerialQueue } from './serialQueue';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SerialQueue', () => {
  it('runs jobs one at a time in submission order, even after a failure', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const a = q.run(async () => {
      log.push('a start');
      await tick(20);
      log.push('a end');
      return 1;
    });
    const b = q.run(async () => {
      log.push('b');
      throw new Error('boom');
    });
    const c = q.run(async () => {
      log.push('c');
      return 3;
    });
    expect(await a).toBe(1);
    await expect(b).rejects.toThrow('boom');
    expect(await c).toBe(3);
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
  });
});
