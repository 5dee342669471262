import { afterEach, describe, expect, it, vi } from 'vitest';

import { afterNextPaint } from './afterNextPaint';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('afterNextPaint', () => {
  it('resolves at once where nothing draws', async () => {
    await expect(afterNextPaint()).resolves.toBeUndefined();
  });

  it('resolves in a task after the next animation frame, not before it', async () => {
    vi.useFakeTimers();
    let frame: (() => void) | null = null;
    vi.stubGlobal('requestAnimationFrame', (callback: () => void) => (frame = callback));
    let resolved = false;
    void afterNextPaint().then(() => (resolved = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(resolved).toBe(false);
    frame!();
    await vi.advanceTimersByTimeAsync(0);
    expect(resolved).toBe(true);
  });

  it('gives up waiting after 50 ms when no frame comes (a hidden page)', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', () => 0);
    let resolved = false;
    void afterNextPaint().then(() => (resolved = true));
    await vi.advanceTimersByTimeAsync(49);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(true);
  });
});
