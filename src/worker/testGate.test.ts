import { describe, expect, it } from 'vitest';

import { TestGate } from './testGate';

describe('TestGate', () => {
  it('lets everything through while open', async () => {
    const gate = new TestGate();
    await expect(gate.pass('forward')).resolves.toBeUndefined();
    await expect(gate.pass('load')).resolves.toBeUndefined();
  });

  it('holds passes at a closed point, says so, and lets them all go when it opens', async () => {
    const gate = new TestGate();
    const held: string[] = [];
    gate.set(['forward'], (point) => held.push(point));
    const passed: string[] = [];
    const first = gate.pass('forward').then(() => passed.push('forward 1'));
    const second = gate.pass('forward').then(() => passed.push('forward 2'));
    await gate.pass('load'); // another point stays open
    await Promise.resolve();
    expect(held).toEqual(['forward', 'forward']);
    expect(passed).toEqual([]);
    gate.set([]);
    await Promise.all([first, second]);
    expect(passed).toEqual(['forward 1', 'forward 2']);
    await gate.pass('forward'); // open again: no wait
    expect(held).toHaveLength(2);
  });

  it('keeps holding at points still closed when others open', async () => {
    const gate = new TestGate();
    gate.set(['forward', 'load']);
    let loaded = false;
    let forwarded = false;
    void gate.pass('load').then(() => (loaded = true));
    void gate.pass('forward').then(() => (forwarded = true));
    gate.set(['forward']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(loaded).toBe(true);
    expect(forwarded).toBe(false);
  });
});
