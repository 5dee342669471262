/**
 * The browser's cameras: opening and listing them, grabbing a frame or a snapshot from the live video, and the
 * browser's refusals turned into what the page tells the user.
 */

/** `no-camera`: none is connected (or none fits); `denied`: the user or a policy refused access. */
export type CameraErrorCode = 'no-camera' | 'denied' | 'unavailable';

export interface CameraProblem {
  code: CameraErrorCode;
  message: string;
}

export interface CameraDevice {
  deviceId: string;
  /** Empty until the user has allowed camera access: the browser hides names before. */
  label: string;
}

/** What the page says for each way getUserMedia (or its absence) fails. */
export function cameraProblem(err: unknown): CameraProblem {
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
    return {
      code: 'no-camera',
      message: 'No camera was found. Connect one (or check that it is enabled) and try again.',
    };
  }
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return {
      code: 'denied',
      message:
        'Camera access was denied. Allow the camera for this page in the browser’s site settings, then start it again.',
    };
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return {
      code: 'unavailable',
      message: 'The camera could not be started: another application may be using it.',
    };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return { code: 'unavailable', message: `The camera could not be started (${detail}).` };
}

/** A problem of our own making, classified like the browser's own errors. */
function named(name: string, message: string): DOMException {
  return new DOMException(message, name);
}

/** The video inputs; their labels are empty before the user has allowed access. */
export async function listCameras(): Promise<CameraDevice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

/**
 * Opens a camera (`deviceId`, or the browser's choice). Rejects with the browser's own error, or a
 * NotFoundError where the browser has no camera API (an insecure page) or lists no camera at all.
 */
export async function openCamera(deviceId?: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw named('SecurityError', 'This page cannot use cameras (it needs https).');
  }
  // A browser that lists devices before permission tells us there is no camera without asking the user.
  const listed = await listCameras().catch(() => null);
  if (listed && listed.length === 0) throw named('NotFoundError', 'No video input devices.');
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: deviceId ? { deviceId: { exact: deviceId } } : { facingMode: 'environment' },
  });
}

/** Ends every track: the camera's light goes off. */
export function stopStream(stream: MediaStream): void {
  stream.getTracks().forEach((track) => track.stop());
}

/** The camera the stream is reading from. */
export function streamDeviceId(stream: MediaStream): string | null {
  return stream.getVideoTracks()[0]?.getSettings().deviceId ?? null;
}

/** Whether the video has a frame to grab. */
export function hasFrame(video: HTMLVideoElement): boolean {
  return video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0;
}

/** The video's current frame, at its own resolution: the engine frames it as it frames a photo. */
export function grabFrame(video: HTMLVideoElement): Promise<ImageBitmap> {
  return createImageBitmap(video);
}

/** A frame for the engine: the camera's own VideoFrame where the browser hands them out, else a bitmap of the video. */
export type CameraFrame = VideoFrame | ImageBitmap;

/** The newest frames of a stream's video track, one at a time; `read` gives null once the track has ended. */
export interface FrameReader {
  read(): Promise<VideoFrame | null>;
  cancel(): void;
}

/** WebCodecs' MediaStreamTrackProcessor ("breakout box"), which TypeScript's DOM library does not declare yet. */
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => {
  readable: ReadableStream<VideoFrame>;
};

/**
 * Reads the camera's frames as they come from the track, without drawing the video: a frame drawn from a <video>
 * is a GPU texture, and cropping it means a read-back that took longer than the crop of a photo many times over
 * (docs/performance.md, "What makes it fast"), where a VideoFrame's pixels are copied out in memory. A buffer of
 * one keeps only the newest frame, so the answer never lags behind. A camera has few frame buffers: a frame must
 * be closed soon after it is read, or the camera stops delivering until it is. Null where the browser has no track
 * processor (the caller grabs from the <video> instead).
 */
export function openFrameReader(stream: MediaStream): FrameReader | null {
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor })
    .MediaStreamTrackProcessor;
  const track = stream.getVideoTracks()[0];
  if (!Processor || !track) return null;
  const reader = new Processor({ track, maxBufferSize: 1 }).readable.getReader();
  return {
    read: async () => {
      const { value, done } = await reader.read();
      return done ? null : value;
    },
    cancel: () => void reader.cancel().catch(() => undefined),
  };
}

/** `camera-2026-11-30-150102.jpg`: when it was taken, in local time, sortable. */
export function snapshotName(taken: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${taken.getFullYear()}-${two(taken.getMonth() + 1)}-${two(taken.getDate())}`;
  const time = `${two(taken.getHours())}${two(taken.getMinutes())}${two(taken.getSeconds())}`;
  return `camera-${date}-${time}.jpg`;
}

/** A frame's size: a bitmap's, or a <video>'s current one. */
function frameSize(source: ImageBitmap | HTMLVideoElement): { width: number; height: number } {
  return 'videoWidth' in source
    ? { width: source.videoWidth, height: source.videoHeight }
    : { width: source.width, height: source.height };
}

/** A camera frame (or the video's current one) as a JPEG file, to classify like any dropped photo. */
export async function snapshot(
  source: ImageBitmap | HTMLVideoElement,
  taken: Date = new Date(),
): Promise<File> {
  const canvas = document.createElement('canvas');
  const { width, height } = frameSize(source);
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('No 2D canvas is available to take a snapshot.');
  ctx.drawImage(source, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  if (!blob) throw new Error('The snapshot could not be encoded.');
  return new File([blob], snapshotName(taken), { type: 'image/jpeg', lastModified: taken.getTime() });
}
