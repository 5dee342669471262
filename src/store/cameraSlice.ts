/**
 * The live camera: starting and stopping it, and the loop that classifies its frames one at a time (the latest
 * frame wins; frames in between are never queued), with frames per second, an optional class activation map and
 * the frame the answer is for.
 */
import {
  cameraProblem,
  grabFrame,
  hasFrame,
  listCameras,
  openCamera,
  openFrameReader,
  snapshot,
  stopStream,
  streamDeviceId,
} from '../client/camera';
import type { CameraDevice, CameraFrame, CameraProblem, FrameReader } from '../client/camera';
import type { Prediction } from '../shared/predictions';
import type { CamRender, FrameResult } from '../shared/protocol';
import type { VariantId } from '../shared/variants';
import type { SliceCreator } from './types';

export type CameraStatus = 'off' | 'starting' | 'live' | 'error';

export interface CameraLive {
  variant: VariantId;
  predictions: Prediction[];
  /** Answers per second over the last few frames. */
  fps: number;
  /** Mean time from grabbing a frame to its answer, over the same frames. */
  frameMs: number;
  /** The engine's own time for the last frame (crop + forward pass). */
  engineMs: number;
  /** Frames answered since the camera started. */
  frames: number;
}

export interface CameraSlice {
  cameraStatus: CameraStatus;
  cameraError: CameraProblem | null;
  /** The video inputs, named once the user has allowed access. */
  cameras: CameraDevice[];
  cameraDeviceId: string | null;
  cameraStream: MediaStream | null;
  cameraLive: CameraLive | null;
  /** Whether each frame also gets the class activation map of its top-1. */
  cameraCamOn: boolean;
  cameraCam: CamRender | null;
  /**
   * Where frames come from the track: the frame the live answer (and its map) is for, shown in place of a playing
   * <video>, whose 30 frames a second cost the classifier a third of this machine (docs/performance.md, "What
   * makes it fast"). Null where frames are grabbed from the <video>, which then plays.
   */
  cameraPicture: ImageBitmap | null;
  /** What the panel shows: `picture` (the frames answered, from the track) or `video` (the stream, playing). */
  cameraPreview: 'picture' | 'video';
  /** Opens the camera (`deviceId`, or the browser's choice) and starts classifying its frames. */
  startCamera: (deviceId?: string) => Promise<void>;
  /** Ends the loop and every track of the stream. */
  stopCamera: () => void;
  setCameraCamOn: (on: boolean) => void;
  /** The element that shows the stream, where frames are grabbed from; null when it goes. */
  setCameraVideo: (video: HTMLVideoElement | null) => void;
  /** The current frame as a card, like a dropped photo. */
  takeSnapshot: () => Promise<void>;
  dismissCameraError: () => void;
}

/** Frames the rate is measured over: enough to be steady, few enough to follow a change. */
const RATE_WINDOW = 10;
/** How long the loop waits for a video frame or a ready model before looking again. */
const IDLE_WAIT_MS = 100;
/** After an engine failure (being replaced, a model loading that failed), before the next frame. */
const RETRY_WAIT_MS = 500;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const createCameraSlice: SliceCreator<CameraSlice> = (set, get, _store, context) => {
  /** Each start gets a new run number; a loop or a start that finds another one current ends itself. */
  let run = 0;
  let video: HTMLVideoElement | null = null;
  /** The live stream's frames straight from its track, where the browser offers that; else frames come from `video`. */
  let frameReader: FrameReader | null = null;

  const onVisibility = () => {
    if (document.hidden) get().stopCamera();
  };

  const replaceCam = (cam: CamRender | null) => {
    const old = get().cameraCam;
    if (old && old !== cam) old.bitmap.close();
    set({ cameraCam: cam });
  };

  const replacePicture = (picture: ImageBitmap | null) => {
    const old = get().cameraPicture;
    if (old && old !== picture) old.close();
    set({ cameraPicture: picture });
  };

  /** The track's next frame, or null once it has ended or failed. */
  const readFrame = (reader: FrameReader) => reader.read().catch(() => null);

  /** One frame at a time: the next is grabbed only once the last is answered, so none waits in a queue. */
  async function classifyFrames(mine: number): Promise<void> {
    const recent: { answeredAt: number; ms: number }[] = [];
    let frames = 0;
    while (mine === run) {
      const { modelStatus, modelHandle } = get();
      const engine = modelStatus === 'ready' && modelHandle ? context.engine : null;
      const reader = frameReader;
      const source = video;
      if (!engine && reader) {
        // No model to ask (one is loading): the picture stays live, its frames shown but not classified.
        const frame = await readFrame(reader);
        const picture = frame && (await createImageBitmap(frame).catch(() => null));
        frame?.close();
        if (picture && mine === run) replacePicture(picture);
        else picture?.close();
        await wait(IDLE_WAIT_MS);
        continue;
      }
      if (!engine || (!reader && (!source || !hasFrame(source)))) {
        await wait(IDLE_WAIT_MS);
        continue;
      }
      const grabbedAt = performance.now();
      let frame: CameraFrame | null;
      try {
        frame = reader ? await readFrame(reader) : await grabFrame(source!);
      } catch {
        frame = null;
      }
      if (!frame) {
        await wait(IDLE_WAIT_MS);
        continue;
      }
      if (mine !== run) {
        frame.close();
        return;
      }
      let result: FrameResult;
      try {
        result = await engine.classifyFrame(modelHandle!, frame, get().topK, get().cameraCamOn);
      } catch {
        // The engine is being replaced or has no model: the page says why elsewhere; frames go on after.
        await wait(RETRY_WAIT_MS);
        continue;
      }
      const answeredAt = performance.now();
      if (mine !== run) {
        result.cam?.bitmap.close();
        result.picture?.close();
        return;
      }
      frames += 1;
      recent.push({ answeredAt, ms: answeredAt - grabbedAt });
      if (recent.length > RATE_WINDOW) recent.shift();
      const span = answeredAt - recent[0]!.answeredAt;
      const frameMs = recent.reduce((sum, r) => sum + r.ms, 0) / recent.length;
      // One frame has no span yet: its own round trip is the best guess of the rate.
      const fps = recent.length > 1 && span > 0 ? ((recent.length - 1) * 1000) / span : 1000 / frameMs;
      // A map asked for before the user turned maps off is not shown.
      const cam = result.cam && get().cameraCamOn ? result.cam : null;
      if (result.cam && !cam) result.cam.bitmap.close();
      replaceCam(cam);
      if (result.picture) replacePicture(result.picture);
      set({
        cameraLive: {
          variant: result.variant,
          predictions: result.predictions,
          fps,
          frameMs,
          engineMs: result.totalMs,
          frames,
        },
      });
    }
  }

  return {
    cameraStatus: 'off',
    cameraError: null,
    cameras: [],
    cameraDeviceId: null,
    cameraStream: null,
    cameraLive: null,
    cameraCamOn: false,
    cameraCam: null,
    cameraPicture: null,
    cameraPreview: 'video',

    startCamera: async (deviceId) => {
      const old = get().cameraStream;
      if (old) stopStream(old);
      frameReader?.cancel();
      frameReader = null;
      const mine = ++run;
      replacePicture(null);
      set({ cameraStatus: 'starting', cameraError: null, cameraStream: null, cameraLive: null });
      let stream: MediaStream;
      try {
        stream = await openCamera(deviceId);
      } catch (err) {
        if (mine === run) set({ cameraStatus: 'error', cameraError: cameraProblem(err) });
        return;
      }
      if (mine !== run) {
        // Stopped (or started again) while the browser was asking the user.
        stopStream(stream);
        return;
      }
      frameReader = openFrameReader(stream);
      set({
        cameraStatus: 'live',
        cameraStream: stream,
        cameraDeviceId: streamDeviceId(stream),
        cameraPreview: frameReader ? 'picture' : 'video',
      });
      if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility);
      void classifyFrames(mine);
      // Names come only with permission, so the list is read now.
      const cameras = await listCameras().catch(() => []);
      if (mine === run) set({ cameras });
    },

    stopCamera: () => {
      run += 1;
      const stream = get().cameraStream;
      if (stream) stopStream(stream);
      frameReader?.cancel();
      frameReader = null;
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility);
      replaceCam(null);
      replacePicture(null);
      set({
        cameraStatus: 'off',
        cameraStream: null,
        cameraLive: null,
        ...(get().cameraStatus === 'error' ? {} : { cameraError: null }),
      });
    },

    setCameraCamOn: (on) => {
      set({ cameraCamOn: on });
      if (!on) replaceCam(null);
    },

    setCameraVideo: (element) => {
      video = element;
    },

    takeSnapshot: async () => {
      // The picture on screen, where there is one: the card then shows what the live answer was for.
      const picture = get().cameraPicture;
      if (picture) {
        get().addImages([await snapshot(picture)]);
        return;
      }
      if (!video || !hasFrame(video)) return;
      get().addImages([await snapshot(video)]);
    },

    dismissCameraError: () => set({ cameraError: null, cameraStatus: 'off' }),
  };
};
