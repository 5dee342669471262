import { afterEach, describe, expect, it, vi } from 'vitest';

import { cameraProblem, openFrameReader, snapshotName } from './camera';

describe('cameraProblem', () => {
  it.each([
    ['NotFoundError', 'no-camera'],
    ['OverconstrainedError', 'no-camera'],
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotReadableError', 'unavailable'],
    ['TypeError', 'unavailable'],
  ])('%s is %s', (name, code) => {
    const problem = cameraProblem(new DOMException('refused', name));
    expect(problem.code).toBe(code);
    expect(problem.message.length).toBeGreaterThan(20);
  });

  it('names an unknown failure in its own words', () => {
    expect(cameraProblem(new Error('boom')).message).toContain('boom');
  });
});

describe('snapshotName', () => {
  it('is the local time it was taken, sortable', () => {
    expect(snapshotName(new Date(2026, 10, 30, 15, 1, 2))).toBe('camera-2026-11-30-150102.jpg');
  });
});

describe('openFrameReader', () => {
  afterEach(() => vi.unstubAllGlobals());
  const stream = (tracks: unknown[]) => ({ getVideoTracks: () => tracks }) as unknown as MediaStream;

  it("reads the track's frames through a processor that keeps only the newest, and null once it ends", async () => {
    const made: { track: unknown; maxBufferSize?: number }[] = [];
    let push!: (frame: string) => void;
    let end!: () => void;
    class FakeProcessor {
      readable: ReadableStream<string>;
      constructor(init: { track: unknown; maxBufferSize?: number }) {
        made.push(init);
        this.readable = new ReadableStream<string>({
          start: (controller) => {
            push = (frame) => controller.enqueue(frame);
            end = () => controller.close();
          },
        });
      }
    }
    vi.stubGlobal('MediaStreamTrackProcessor', FakeProcessor);
    const track = { kind: 'video' };
    const reader = openFrameReader(stream([track]))!;
    expect(made).toEqual([{ track, maxBufferSize: 1 }]);
    push('frame-1');
    expect(await reader.read()).toBe('frame-1');
    end();
    expect(await reader.read()).toBeNull();
  });

  it('is null where the browser has no track processor, or the stream no video', () => {
    expect(openFrameReader(stream([{ kind: 'video' }]))).toBeNull();
    vi.stubGlobal('MediaStreamTrackProcessor', class {});
    expect(openFrameReader(stream([]))).toBeNull();
  });
});
