/**
 * The live camera: a compact button that opens into the picture the model answers (each frame shown with its own
 * top-k, so answer, heat map and picture always agree), frames per second, an optional class activation map, and a
 * snapshot that becomes an ordinary card.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { CSSProperties } from 'react';

import { formatPercent, spokenPercent } from '../shared/format';
import { VARIANTS } from '../shared/variants';
import type { Prediction } from '../shared/predictions';
import { useAppStore } from '../store';
import { useCamera, useTopK } from '../store/hooks';
import { BitmapCanvas } from './BitmapCanvas';
import './camera.css';

/** Screen readers hear the top-1 when it changes, no more often than this: frames come several a second. */
const ANNOUNCE_GAP_MS = 4000;

/** The live top-1's label, for a polite status region, held back so it is not read out every frame. */
function useSpokenTop1(top1: Prediction | undefined): string {
  const [spoken, setSpoken] = useState('');
  const lastSpokenAt = useRef(-Infinity);
  const label = top1?.label;
  useEffect(() => {
    if (!label) return;
    const delay = Math.max(0, lastSpokenAt.current + ANNOUNCE_GAP_MS - performance.now());
    const timer = setTimeout(() => {
      lastSpokenAt.current = performance.now();
      setSpoken(`Camera sees: ${label}`);
    }, delay);
    return () => clearTimeout(timer);
  }, [label]);
  return spoken;
}

/** The class activation map covers the frame's centre square (the network's crop), not the whole frame. */
function cropBox(size: { width: number; height: number } | null): CSSProperties {
  if (!size || size.width === 0 || size.height === 0) return { display: 'none' };
  const side = Math.min(size.width, size.height);
  const width = (side / size.width) * 100;
  const height = (side / size.height) * 100;
  return {
    width: `${width}%`,
    height: `${height}%`,
    left: `${(100 - width) / 2}%`,
    top: `${(100 - height) / 2}%`,
  };
}

export function CameraPanel() {
  const { status, error, cameras, deviceId, stream, live, camOn, cam, picture, preview } = useCamera();
  const topK = useTopK();
  // A model change leaves the last answer up, marked as the old model's, until the new model is ready.
  const modelLoading = useAppStore((s) => s.modelStatus === 'loading');
  const startCamera = useAppStore((s) => s.startCamera);
  const stopCamera = useAppStore((s) => s.stopCamera);
  const setCameraCamOn = useAppStore((s) => s.setCameraCamOn);
  const setCameraVideo = useAppStore((s) => s.setCameraVideo);
  const takeSnapshot = useAppStore((s) => s.takeSnapshot);
  const dismissCameraError = useAppStore((s) => s.dismissCameraError);
  const videoRef = useRef<HTMLVideoElement>(null);
  const [videoSize, setVideoSize] = useState<{ width: number; height: number } | null>(null);
  const spoken = useSpokenTop1(live?.predictions[0]);
  const selectId = useId();
  const on = status === 'live' || status === 'starting';

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !stream || preview !== 'video') return;
    video.srcObject = stream;
    setCameraVideo(video);
    // Muted and inline, so no gesture is needed; a refusal leaves the loop waiting for a frame.
    video.play().catch(() => undefined);
    return () => {
      setCameraVideo(null);
      video.srcObject = null;
    };
  }, [stream, preview, setCameraVideo]);

  const readSize = () => {
    const video = videoRef.current;
    if (video) setVideoSize({ width: video.videoWidth, height: video.videoHeight });
  };

  return (
    <section className={`camera${stream ? ' camera--open' : ''}`} aria-label="Camera">
      <div className="camera__bar">
        {on ? (
          <button type="button" className="button" data-testid="camera-stop" onClick={stopCamera}>
            Stop camera
          </button>
        ) : (
          <button
            type="button"
            className="button camera__start"
            data-testid="camera-start"
            onClick={() => void startCamera(deviceId ?? undefined)}
          >
            <span aria-hidden="true">◉ </span>Camera
          </button>
        )}
        {status === 'starting' && <span className="small muted">Starting the camera…</span>}
        {stream && cameras.length > 1 && (
          <span className="camera__select small">
            <label htmlFor={selectId}>Camera</label>
            <select
              id={selectId}
              data-testid="camera-select"
              value={deviceId ?? ''}
              onChange={(e) => void startCamera(e.target.value)}
            >
              {cameras.map((c) => (
                <option key={c.deviceId} value={c.deviceId}>
                  {c.label}
                </option>
              ))}
            </select>
          </span>
        )}
        {stream && (
          <>
            <label className="camera__toggle small">
              <input
                type="checkbox"
                data-testid="camera-cam-toggle"
                checked={camOn}
                onChange={(e) => setCameraCamOn(e.target.checked)}
              />
              Heat map of the top class
            </label>
            <button
              type="button"
              className="button"
              data-testid="camera-snapshot"
              disabled={!live}
              onClick={() => void takeSnapshot()}
            >
              Snapshot
            </button>
          </>
        )}
        {!on && !error && (
          <span className="small muted">
            Classify what your camera sees, live. Nothing leaves this device.
          </span>
        )}
      </div>

      {error && (
        <div
          className="intake__message intake__message--error small camera__error"
          role="alert"
          data-testid="error"
          data-error-code={error.code}
        >
          <span>{error.message}</span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={dismissCameraError}>
            ×
          </button>
        </div>
      )}

      {stream && (
        <div className="camera__view">
          <div className="camera__stage">
            <div className="camera__frame">
              {preview === 'video' ? (
                <video
                  ref={videoRef}
                  className="camera__video"
                  data-testid="camera-video"
                  aria-label="Live camera view"
                  muted
                  playsInline
                  autoPlay
                  onLoadedMetadata={readSize}
                  onResize={readSize}
                />
              ) : picture ? (
                <BitmapCanvas
                  bitmap={picture}
                  className="camera__video"
                  data-testid="camera-video"
                  data-preview="picture"
                  role="img"
                  aria-label="Live camera view: the frame the answer is for"
                />
              ) : (
                // Until the first frame: an empty frame of a webcam's usual shape.
                <canvas
                  width={640}
                  height={480}
                  className="camera__video"
                  data-testid="camera-video"
                  data-preview="picture"
                  role="img"
                  aria-label="Live camera view: waiting for the first frame"
                />
              )}
              {camOn && cam && (
                <BitmapCanvas
                  bitmap={cam.bitmap}
                  className="camera__cam"
                  style={cropBox(
                    preview === 'video'
                      ? videoSize
                      : picture && { width: picture.width, height: picture.height },
                  )}
                  data-testid="camera-cam"
                  data-class-index={cam.classIndex}
                  role="img"
                  aria-label={`Heat map of what made the network say ${live?.predictions[0]?.label ?? 'its top class'}`}
                />
              )}
              {live && (
                <p
                  className="camera__fps"
                  data-testid="camera-fps"
                  data-variant={live.variant}
                  data-fps={live.fps.toFixed(2)}
                  data-frame-ms={live.frameMs.toFixed(1)}
                  data-frames={live.frames}
                  data-engine-ms={live.engineMs.toFixed(1)}
                >
                  {live.fps.toFixed(1)} frames/s · {Math.round(live.frameMs)} ms per frame
                </p>
              )}
            </div>
            {live && (
              <div className={`camera__predictions${modelLoading ? ' camera__predictions--stale' : ''}`}>
                {modelLoading && (
                  <p className="camera__stale small" data-testid="camera-stale">
                    {VARIANTS[live.variant].label}’s last answer: the new model is loading.
                  </p>
                )}
                <ol className="predictions" aria-label={`Live top ${topK}`}>
                  {live.predictions.slice(0, topK).map((p, i) => (
                    <li
                      key={p.classIndex}
                      className="prediction"
                      data-testid="camera-prediction"
                      data-class-index={p.classIndex}
                      data-label={p.label}
                      data-probability={p.probability}
                      aria-label={`${i + 1}. ${p.label}, ${spokenPercent(p.probability)}`}
                      title={`${p.synonyms} (class ${p.classIndex})`}
                    >
                      <span className="prediction__row">
                        <span className="prediction__rank">{i + 1}</span>
                        <span className="prediction__label">{p.label}</span>
                        <span className="prediction__pct">{formatPercent(p.probability)}</span>
                        <span className="prediction__bar" aria-hidden="true">
                          <span style={{ width: `${Math.max(0.5, p.probability * 100)}%` }} />
                        </span>
                      </span>
                    </li>
                  ))}
                </ol>
              </div>
            )}
          </div>
          <p className="sr-only" role="status">
            {spoken}
          </p>
        </div>
      )}
    </section>
  );
}
