import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { FrameResult } from '../shared/protocol';
import { closed, fakeBitmap, fakeEngine, flush } from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { createAppStore } from './index';
import type { AppStore } from './index';

// The browser's side of the camera, played by the test: getUserMedia's answer, and frames grabbed from a
// video that always has one.
const media = vi.hoisted(() => ({
  open: null as null | (() => Promise<MediaStream>),
  grabbed: 0,
  /** Frames straight from the track, when a test plays a browser that offers them. */
  reader: null as null | { read: () => Promise<VideoFrame | null>; cancel: () => void },
  /** What each snapshot was taken of. */
  snapshots: [] as unknown[],
}));
vi.mock('../client/camera', async (importOriginal) => {
  const real = await importOriginal<typeof import('../client/camera')>();
  return {
    ...real,
    openCamera: vi.fn(() => media.open!()),
    listCameras: vi.fn(() => Promise.resolve([{ deviceId: 'cam-1', label: 'Front camera' }])),
    openFrameReader: vi.fn(() => media.reader),
    hasFrame: vi.fn(() => true),
    grabFrame: vi.fn(() => {
      media.grabbed += 1;
      return Promise.resolve(fakeBitmap());
    }),
    snapshot: vi.fn((source: unknown) => {
      media.snapshots.push(source);
      return Promise.resolve(new File([new Uint8Array(4)], 'camera-2026-11-30-150102.jpg'));
    }),
  };
});

interface FakeTrack {
  readyState: 'live' | 'ended';
  stop: () => void;
  getSettings: () => { deviceId: string };
}

function fakeStream(): { stream: MediaStream; tracks: FakeTrack[] } {
  const track: FakeTrack = {
    readyState: 'live',
    stop: () => {
      track.readyState = 'ended';
    },
    getSettings: () => ({ deviceId: 'cam-1' }),
  };
  const tracks = [track];
  const stream = { getTracks: () => tracks, getVideoTracks: () => tracks } as unknown as MediaStream;
  return { stream, tracks };
}

function frameResult(classIndex: number, withCam = false, withPicture = false): FrameResult {
  return {
    variant: 'resnet18',
    predictions: [{ classIndex, label: `class ${classIndex}`, synonyms: '', probability: 0.8 }],
    inferenceMs: 5,
    totalMs: 6,
    ...(withCam ? { cam: { classIndex, bitmap: fakeBitmap() } } : {}),
    ...(withPicture ? { picture: fakeBitmap() } : {}),
  };
}

/** A VideoFrame as the track hands it out: only closing matters to the page. */
const fakeVideoFrame = () => fakeBitmap() as unknown as VideoFrame;

/** A document whose visibility the test changes. */
class FakeDocument extends EventTarget {
  hidden = false;
}

let store: AppStore;
let fake: FakeEngine;
let doc: FakeDocument;

beforeEach(async () => {
  media.grabbed = 0;
  media.reader = null;
  media.snapshots = [];
  doc = new FakeDocument();
  vi.stubGlobal('document', doc);
  fake = fakeEngine();
  store = createAppStore({ engine: fake.engine });
  // A model is ready: the loop only sends frames to an engine that has one.
  store.setState({ modelStatus: 'ready', modelHandle: fake.adoptModel() });
  store.getState().setCameraVideo({} as HTMLVideoElement);
});

afterEach(() => {
  store.getState().stopCamera();
  vi.unstubAllGlobals();
});

async function startLive(): Promise<FakeTrack[]> {
  const { stream, tracks } = fakeStream();
  media.open = () => Promise.resolve(stream);
  await store.getState().startCamera();
  await flush();
  return tracks;
}

describe('camera loop', () => {
  it("reads the track's own frames where the browser offers them and shows each with its answer", async () => {
    const trackFrames = [fakeVideoFrame(), fakeVideoFrame()];
    const cancel = vi.fn();
    let read = 0;
    media.reader = { read: () => Promise.resolve(trackFrames[read++] ?? null), cancel };
    await startLive();
    expect(store.getState().cameraPreview).toBe('picture');
    expect(fake.frames[0]!.args.frame).toBe(trackFrames[0]);
    expect(media.grabbed).toBe(0); // nothing drawn from the <video>
    const first = frameResult(281, false, true);
    fake.frames[0]!.answer.resolve(first);
    await flush();
    // The picture arrives with its own answer, never ahead of it.
    expect(store.getState().cameraPicture).toBe(first.picture);
    expect(store.getState().cameraLive!.predictions[0]!.classIndex).toBe(281);
    expect(fake.frames[1]!.args.frame).toBe(trackFrames[1]);
    const second = frameResult(282, false, true);
    fake.frames[1]!.answer.resolve(second);
    await flush();
    expect(store.getState().cameraPicture).toBe(second.picture);
    expect(closed(first.picture!)).toBe(true);

    // A snapshot is of the picture on screen, the one the live answer is for.
    await store.getState().takeSnapshot();
    expect(media.snapshots).toEqual([second.picture]);
    expect(store.getState().images.map((i) => i.fileName)).toContain('camera-2026-11-30-150102.jpg');

    store.getState().stopCamera();
    expect(cancel).toHaveBeenCalled();
    expect(store.getState().cameraPicture).toBeNull();
    expect(closed(second.picture!)).toBe(true);
  });

  it("keeps the track's picture live while a model loads, classifying nothing", async () => {
    store.setState({ modelStatus: 'loading' });
    const trackFrames = [fakeVideoFrame(), fakeVideoFrame()];
    let read = 0;
    media.reader = {
      read: () => Promise.resolve(trackFrames[read++] ?? fakeVideoFrame()),
      cancel: () => undefined,
    };
    const pictures: ImageBitmap[] = [];
    vi.stubGlobal(
      'createImageBitmap',
      vi.fn(() => {
        pictures.push(fakeBitmap());
        return Promise.resolve(pictures.at(-1));
      }),
    );
    await startLive();
    await flush();
    expect(store.getState().cameraPicture).toBe(pictures[0]);
    // The frame is closed at once: a camera has few buffers, and one held by the page stalls it.
    expect(closed(trackFrames[0] as unknown as ImageBitmap)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(store.getState().cameraPicture).toBe(pictures[1]);
    expect(closed(pictures[0]!)).toBe(true);
    expect(fake.frames).toHaveLength(0);
    expect(store.getState().cameraLive).toBeNull();
  });

  it('where frames come from the <video>, it plays and snapshots are taken of it', async () => {
    await startLive();
    expect(store.getState().cameraPreview).toBe('video');
    fake.frames[0]!.answer.resolve(frameResult(281));
    await flush();
    expect(store.getState().cameraPicture).toBeNull();
    await store.getState().takeSnapshot();
    expect(media.snapshots).toHaveLength(1);
    expect(media.snapshots[0]).not.toBeNull();
    expect(media.snapshots[0]).not.toBe(store.getState().cameraPicture);
  });

  it('sends one frame at a time: the next is grabbed only after the last is answered', async () => {
    await startLive();
    expect(store.getState().cameraStatus).toBe('live');
    expect(fake.frames).toHaveLength(1);
    await flush();
    await flush();
    // Still one in flight however long the engine takes: no frame waits in a queue behind it.
    expect(fake.frames).toHaveLength(1);
    expect(media.grabbed).toBe(1);

    fake.frames[0]!.answer.resolve(frameResult(281));
    await flush();
    expect(store.getState().cameraLive).toMatchObject({ frames: 1, predictions: [{ classIndex: 281 }] });
    expect(store.getState().cameraLive!.fps).toBeGreaterThan(0);
    expect(fake.frames).toHaveLength(2);
    expect(media.grabbed).toBe(2);

    fake.frames[1]!.answer.resolve(frameResult(282));
    await flush();
    expect(store.getState().cameraLive).toMatchObject({ frames: 2, predictions: [{ classIndex: 282 }] });
    expect(fake.frames).toHaveLength(3);
  });

  it('asks for the top-k shown and, when on, the class activation map; replaced maps are closed', async () => {
    store.getState().setCameraCamOn(true);
    await startLive();
    expect(fake.frames[0]!.args).toMatchObject({ k: store.getState().topK, withCam: true });
    const first = frameResult(281, true);
    fake.frames[0]!.answer.resolve(first);
    await flush();
    expect(store.getState().cameraCam).toBe(first.cam);
    const second = frameResult(281, true);
    fake.frames[1]!.answer.resolve(second);
    await flush();
    expect(closed(first.cam!.bitmap)).toBe(true);
    store.getState().setCameraCamOn(false);
    expect(store.getState().cameraCam).toBeNull();
    expect(closed(second.cam!.bitmap)).toBe(true);
    // The frame in flight when maps were turned off: its map is dropped, and the next one asks for none.
    const inFlight = frameResult(281, true);
    fake.frames[2]!.answer.resolve(inFlight);
    await flush();
    expect(closed(inFlight.cam!.bitmap)).toBe(true);
    expect(store.getState().cameraCam).toBeNull();
    expect(fake.frames[3]!.args.withCam).toBe(false);
  });

  it('stop ends the loop and every track; a late answer is dropped and its map closed', async () => {
    const tracks = await startLive();
    store.getState().stopCamera();
    expect(tracks.every((t) => t.readyState === 'ended')).toBe(true);
    expect(store.getState()).toMatchObject({ cameraStatus: 'off', cameraStream: null, cameraLive: null });

    const late = frameResult(281, true);
    fake.frames[0]!.answer.resolve(late);
    await flush();
    await flush();
    expect(fake.frames).toHaveLength(1);
    expect(store.getState().cameraLive).toBeNull();
    expect(closed(late.cam!.bitmap)).toBe(true);
  });

  it('stops when the tab is hidden', async () => {
    const tracks = await startLive();
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(store.getState().cameraStatus).toBe('off');
    expect(tracks[0]!.readyState).toBe('ended');
    fake.frames[0]!.answer.resolve(frameResult(1));
    await flush();
    expect(fake.frames).toHaveLength(1);
  });

  it('waits while no model is ready, and goes on after an engine failure', async () => {
    store.setState({ modelStatus: 'loading' });
    await startLive();
    expect(fake.frames).toHaveLength(0);
    store.setState({ modelStatus: 'ready' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.frames).toHaveLength(1);
    fake.frames[0]!.answer.reject(new Error('The engine was replaced while it was working on this.'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fake.frames).toHaveLength(2);
    expect(store.getState().cameraStatus).toBe('live');
  });

  it('lists the cameras once access is allowed', async () => {
    await startLive();
    await flush();
    expect(store.getState().cameras).toEqual([{ deviceId: 'cam-1', label: 'Front camera' }]);
    expect(store.getState().cameraDeviceId).toBe('cam-1');
  });
});

describe('camera errors', () => {
  it.each([
    ['NotFoundError', 'no-camera'],
    ['OverconstrainedError', 'no-camera'],
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotReadableError', 'unavailable'],
  ])('%s is %s, and no frame is sent', async (name, code) => {
    media.open = () => Promise.reject(new DOMException('refused', name));
    await store.getState().startCamera();
    await flush();
    expect(store.getState().cameraStatus).toBe('error');
    expect(store.getState().cameraError?.code).toBe(code);
    expect(store.getState().cameraError?.message).toBeTruthy();
    expect(fake.frames).toHaveLength(0);
  });

  it('a stream that arrives after stop is ended at once', async () => {
    const { stream, tracks } = fakeStream();
    let give!: (s: MediaStream) => void;
    media.open = () => new Promise((resolve) => (give = resolve));
    const starting = store.getState().startCamera();
    store.getState().stopCamera();
    give(stream);
    await starting;
    await flush();
    expect(tracks[0]!.readyState).toBe('ended');
    expect(store.getState().cameraStatus).toBe('off');
    expect(fake.frames).toHaveLength(0);
  });
});
