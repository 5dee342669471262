/**
 * The live camera's loop, without React: one frame at a time (the next is read only once the last is answered,
 * so the latest frame wins and none waits in a queue), with the rate over the last few answers. One loop per
 * camera session; the store shows what it reports.
 */
import { grabFrame, hasFrame } from './camera';
import type { CameraFrame, FrameReader } from './camera';
import type { EngineApi, FrameResult, ModelHandle } from '../shared/protocol';

/** Answers per second and the mean time from grabbing a frame to its answer, over the last few frames. */
export interface FrameRate {
  fps: number;
  frameMs: number;
  /** Frames answered since the loop started. */
  frames: number;
}

/** What the loop asks of, and reports to, its owner (the store). */
export interface CameraLoopHost {
  /** The engine and model to classify frames with, or null while none is ready (a model loading). */
  readyModel(): { engine: EngineApi; handle: ModelHandle } | null;
  /** What each frame is asked for: how many predictions, and whether with its class activation map. */
  request(): { k: number; withCam: boolean };
  /** A frame from the track shown while no model can answer it (the picture stays live); the host closes it. */
  showPicture(picture: ImageBitmap): void;
  /** A frame's answer (its bitmaps are the host's to close) and the rate so far. */
  answered(result: FrameResult, rate: FrameRate): void;
}

/** Where frames come from: the track (VideoFrames), or else the playing <video> element. */
export interface FrameSource {
  reader: FrameReader | null;
  video(): HTMLVideoElement | null;
}

/** Frames the rate is measured over: enough to be steady, few enough to follow a change. */
const RATE_WINDOW = 10;
/** How long the loop waits for a video frame or a ready model before looking again. */
const IDLE_WAIT_MS = 100;
/** After an engine failure (being replaced, a model loading that failed), before the next frame. */
const RETRY_WAIT_MS = 500;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The rate over a sliding window of answers. */
export class FrameRateMeter {
  private readonly recent: { answeredAt: number; ms: number }[] = [];
  private frames = 0;

  constructor(private readonly window = RATE_WINDOW) {}

  /** A frame grabbed at `grabbedAt` was answered at `answeredAt` (milliseconds, one clock). */
  answered(grabbedAt: number, answeredAt: number): FrameRate {
    this.frames += 1;
    this.recent.push({ answeredAt, ms: answeredAt - grabbedAt });
    if (this.recent.length > this.window) this.recent.shift();
    const span = answeredAt - this.recent[0]!.answeredAt;
    const frameMs = this.recent.reduce((sum, r) => sum + r.ms, 0) / this.recent.length;
    // One frame has no span yet: its own round trip is the best guess of the rate.
    const fps =
      this.recent.length > 1 && span > 0 ? ((this.recent.length - 1) * 1000) / span : 1000 / frameMs;
    return { fps, frameMs, frames: this.frames };
  }
}

export class CameraLoop {
  private running = false;

  constructor(
    private readonly host: CameraLoopHost,
    private readonly source: FrameSource,
  ) {}

  /** Starts classifying frames until `stop`; resolves when the loop has ended. */
  start(): Promise<void> {
    this.running = true;
    return this.classifyFrames();
  }

  /** Ends the loop after the frame with the engine now (whose answer is then dropped, its bitmaps closed). */
  stop(): void {
    this.running = false;
    this.source.reader?.cancel();
  }

  /** Whether frames come from the track (VideoFrames, each answer with its picture) rather than the <video>. */
  get fromTrack(): boolean {
    return this.source.reader !== null;
  }

  private async classifyFrames(): Promise<void> {
    const rate = new FrameRateMeter();
    const { reader } = this.source;
    while (this.running) {
      const model = this.host.readyModel();
      const video = this.source.video();
      if (!model && reader) {
        // No model to ask (one is loading): the picture stays live, its frames shown but not classified.
        const frame = await readFrame(reader);
        const picture = frame && (await createImageBitmap(frame).catch(() => null));
        frame?.close();
        if (picture && this.running) this.host.showPicture(picture);
        else picture?.close();
        await wait(IDLE_WAIT_MS);
        continue;
      }
      if (!model || (!reader && (!video || !hasFrame(video)))) {
        await wait(IDLE_WAIT_MS);
        continue;
      }
      const grabbedAt = performance.now();
      let frame: CameraFrame | null;
      try {
        frame = reader ? await readFrame(reader) : await grabFrame(video!);
      } catch {
        frame = null;
      }
      if (!frame) {
        await wait(IDLE_WAIT_MS);
        continue;
      }
      if (!this.running) {
        frame.close();
        return;
      }
      const { k, withCam } = this.host.request();
      let result: FrameResult;
      try {
        result = await model.engine.classifyFrame(model.handle, frame, k, withCam);
      } catch {
        // The engine is being replaced or has no model: the page says why elsewhere; frames go on after.
        await wait(RETRY_WAIT_MS);
        continue;
      }
      const answeredAt = performance.now();
      if (!this.running) {
        result.cam?.bitmap.close();
        result.picture?.close();
        return;
      }
      this.host.answered(result, rate.answered(grabbedAt, answeredAt));
    }
  }
}

/** The track's next frame, or null once it has ended or failed. */
const readFrame = (reader: FrameReader) => reader.read().catch(() => null);
