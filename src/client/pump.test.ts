import { describe, expect, it } from 'vitest';

import { Pump } from './pump';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('Pump', () => {
  it('runs one loop at a time however often it is pumped', async () => {
    let active = 0;
    let most = 0;
    let work = 5;
    const pump = new Pump(async () => {
      active++;
      most = Math.max(most, active);
      await tick();
      active--;
      return --work > 0;
    });
    pump.pump();
    pump.pump();
    pump.pump();
    await pump.idle();
    expect(most).toBe(1);
    expect(work).toBe(0);
  });

  it('never finishes synchronously: busy right after a pump, idle after', async () => {
    const pump = new Pump(async () => false);
    pump.pump();
    expect(pump.busy).toBe(true);
    await pump.idle();
    expect(pump.busy).toBe(false);
  });

  it('starts again when work arrived as the loop ended', async () => {
    const queue: string[] = [];
    const done: string[] = [];
    let idles = 0;
    const pump = new Pump(
      async () => {
        const next = queue.shift();
        if (!next) {
          // Work added between the last look and the loop's end.
          if (done.length === 1) queue.push('late');
          return false;
        }
        done.push(next);
        return true;
      },
      () => queue.length > 0,
      () => idles++,
    );
    queue.push('first');
    pump.pump();
    await pump.idle();
    await tick();
    await pump.idle();
    expect(done).toEqual(['first', 'late']);
    expect(idles).toBe(2);
  });

  it('ends the loop when a step throws, and can be pumped again', async () => {
    let calls = 0;
    const pump = new Pump(async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return false;
    });
    pump.pump();
    await expect(pump.idle()).rejects.toThrow('boom');
    pump.pump();
    await pump.idle();
    expect(calls).toBe(2);
  });
});
