import { describe, expect, it, vi } from 'vitest';

import type { FrameResult } from '../shared/protocol';
import { closed, fakeBitmap, fakeEngine, flush } from '../testing/fakeEngine';
import type { FrameReader } from './camera';
import { CameraLoop, FrameRateMeter } from './cameraLoop';
import type { CameraLoopHost, FrameRate } from './cameraLoop';

describe('FrameRateMeter', () => {
  it('gives the first frame its own round trip as the rate', () => {
    const meter = new FrameRateMeter();
    expect(meter.answered(0, 100)).toEqual({ fps: 10, frameMs: 100, frames: 1 });
  });

  it('measures answers per second over the window, and the mean round trip', () => {
    const meter = new FrameRateMeter(3);
    meter.answered(0, 50);
    meter.answered(50, 100);
    meter.answered(100, 150);
    // The window keeps the last three: answered at 100, 150, 200 (two intervals over 100 ms).
    expect(meter.answered(120, 200)).toEqual({ fps: 20, frameMs: (50 + 50 + 80) / 3, frames: 4 });
  });
});

/** A track whose frames the test hands out one read at a time. */
function fakeReader() {
  const waiting: ((frame: VideoFrame | null) => void)[] = [];
  const reader: FrameReader & { cancelled: boolean } = {
    cancelled: false,
    read: () => new Promise<VideoFrame | null>((resolve) => waiting.push(resolve)),
    cancel: () => {
      reader.cancelled = true;
      waiting.splice(0).forEach((resolve) => resolve(null));
    },
  };
  const give = () => {
    const frame = fakeBitmap() as unknown as VideoFrame;
    waiting.shift()!(frame);
    return frame;
  };
  return { reader, give, waiting };
}

function frameResult(classIndex: number): FrameResult {
  return {
    variant: 'resnet18',
    predictions: [{ classIndex, label: `class ${classIndex}`, synonyms: '', probability: 0.9 }],
    inferenceMs: 5,
    totalMs: 6,
    cam: { classIndex, bitmap: fakeBitmap() },
  };
}

describe('CameraLoop', () => {
  it('reads the next frame only once the last is answered, with the model and settings of that moment', async () => {
    const fake = fakeEngine();
    const handle = fake.adoptModel();
    const { reader, give, waiting } = fakeReader();
    const answers: { result: FrameResult; rate: FrameRate }[] = [];
    const host: CameraLoopHost = {
      readyModel: () => ({ engine: fake.engine, handle }),
      request: () => ({ k: 3, withCam: true }),
      showPicture: vi.fn(),
      answered: (result, rate) => void answers.push({ result, rate }),
    };
    const loop = new CameraLoop(host, { reader, video: () => null });
    void loop.start();
    await flush();
    const frame = give();
    await flush();
    expect(fake.frames.map((f) => f.args)).toEqual([{ frame, k: 3, withCam: true }]);
    expect(fake.engine.classifyFrame.mock.calls[0]![0]).toBe(handle);
    // No second read while the first frame is with the engine: the latest frame wins, none queue.
    expect(waiting).toHaveLength(0);
    fake.frames[0]!.answer.resolve(frameResult(7));
    await flush();
    expect(answers.map((a) => a.result.predictions[0]!.classIndex)).toEqual([7]);
    expect(answers[0]!.rate.frames).toBe(1);
    expect(waiting).toHaveLength(1);
    loop.stop();
    expect(reader.cancelled).toBe(true);
  });

  it('drops, and closes, an answer that comes after it was stopped', async () => {
    const fake = fakeEngine();
    const handle = fake.adoptModel();
    const { reader, give } = fakeReader();
    const answered = vi.fn();
    const loop = new CameraLoop(
      {
        readyModel: () => ({ engine: fake.engine, handle }),
        request: () => ({ k: 5, withCam: true }),
        showPicture: vi.fn(),
        answered,
      },
      { reader, video: () => null },
    );
    const ended = loop.start();
    await flush();
    give();
    await flush();
    loop.stop();
    const late = frameResult(1);
    fake.frames[0]!.answer.resolve(late);
    await ended;
    expect(answered).not.toHaveBeenCalled();
    expect(closed(late.cam!.bitmap)).toBe(true);
  });
});
