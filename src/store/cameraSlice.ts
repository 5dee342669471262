/**
 * The live camera: starting and stopping it, and the loop that classifies its frames one at a time (the latest
 * frame wins; frames in between are never queued), with frames per second, an optional class activation map and
 * the frame the answer is for.
 */
import {
  cameraProblem,
  hasFrame,
  listCameras,
  openCamera,
  openFrameReader,
  snapshot,
  stopStream,
  streamDeviceId,
} from '../client/camera';
import type { CameraDevice, CameraProblem } from '../client/camera';
import { CameraLoop } from '../client/cameraLoop';
import { Latest } from '../client/latest';
import type { Prediction } from '../shared/predictions';
import type { CamRender } from '../shared/protocol';
import type { VariantId } from '../shared/variants';
import type { SliceCreator } from './types';
import { readyModel } from './modelRequest';

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

export const createCameraSlice: SliceCreator<CameraSlice> = (set, get, _store, context) => {
  /** Each start supersedes the one before: a start that finds a newer one current ends itself. */
  const starts = new Latest();
  let video: HTMLVideoElement | null = null;
  /** The loop classifying the live stream's frames (client/cameraLoop.ts); null while the camera is off. */
  let loop: CameraLoop | null = null;

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

  /** Frames from the track where the browser offers that, else from the <video>; their answers shown here. */
  function startLoop(stream: MediaStream): CameraLoop {
    const reader = openFrameReader(stream);
    const started = new CameraLoop(
      {
        readyModel: () => readyModel(get(), context),
        request: () => ({ k: get().topK, withCam: get().cameraCamOn }),
        showPicture: replacePicture,
        answered: (result, rate) => {
          // A map asked for before the user turned maps off is not shown.
          const cam = result.cam && get().cameraCamOn ? result.cam : null;
          if (result.cam && !cam) result.cam.bitmap.close();
          replaceCam(cam);
          if (result.picture) replacePicture(result.picture);
          set({
            cameraLive: {
              variant: result.variant,
              predictions: result.predictions,
              engineMs: result.totalMs,
              ...rate,
            },
          });
        },
      },
      { reader, video: () => video },
    );
    void started.start();
    return started;
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
      loop?.stop();
      loop = null;
      const isCurrent = starts.begin();
      replacePicture(null);
      set({ cameraStatus: 'starting', cameraError: null, cameraStream: null, cameraLive: null });
      let stream: MediaStream;
      try {
        stream = await openCamera(deviceId);
      } catch (err) {
        if (isCurrent()) set({ cameraStatus: 'error', cameraError: cameraProblem(err) });
        return;
      }
      if (!isCurrent()) {
        // Stopped (or started again) while the browser was asking the user.
        stopStream(stream);
        return;
      }
      loop = startLoop(stream);
      set({
        cameraStatus: 'live',
        cameraStream: stream,
        cameraDeviceId: streamDeviceId(stream),
        cameraPreview: loop.fromTrack ? 'picture' : 'video',
      });
      if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility);
      // Names come only with permission, so the list is read now.
      const cameras = await listCameras().catch(() => []);
      if (isCurrent()) set({ cameras });
    },

    stopCamera: () => {
      starts.supersede();
      const stream = get().cameraStream;
      if (stream) stopStream(stream);
      loop?.stop();
      loop = null;
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
