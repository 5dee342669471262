/**
 * What the camera shows while it is open: the picture the model answered (each frame with its own top-k, so
 * answer, heat map and picture always agree), the heat map over the network's crop, the frame rate, and the
 * live top-k.
 */
import { useEffect, useRef, useState } from 'react';
import type { CSSProperties } from 'react';

import { VARIANTS } from '../shared/variants';
import { useAppStore } from '../store';
import type { CameraLive } from '../store/cameraSlice';
import { useCamera, useTopK } from '../store/hooks';
import { BitmapCanvas } from './BitmapCanvas';
import { PredictionRow } from './PredictionRow';

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

interface Props {
  stream: MediaStream;
  /** The live top-1 for screen readers, held back so it is not read out every frame. */
  spoken: string;
}

export function CameraView({ stream, spoken }: Props) {
  const { live } = useCamera();
  return (
    <div className="camera__view">
      <div className="camera__stage">
        <CameraFrame stream={stream} />
        {live && <LivePredictions live={live} />}
      </div>
      <p className="sr-only" role="status">
        {spoken}
      </p>
    </div>
  );
}

/** The picture: the video itself, or the frame the answer is for, with the heat map and the frame rate on it. */
function CameraFrame({ stream }: { stream: MediaStream }) {
  const { live, camOn, cam, picture, preview } = useCamera();
  const setCameraVideo = useAppStore((s) => s.setCameraVideo);
  const videoRef = useRef<HTMLVideoElement>(null);
  const [videoSize, setVideoSize] = useState<{ width: number; height: number } | null>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video || preview !== 'video') return;
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
            preview === 'video' ? videoSize : picture && { width: picture.width, height: picture.height },
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
  );
}

/** The live top-k; a model change leaves it up, marked as the old model's, until the new model is ready. */
function LivePredictions({ live }: { live: CameraLive }) {
  const topK = useTopK();
  const modelLoading = useAppStore((s) => s.modelStatus === 'loading');
  return (
    <div className={`camera__predictions${modelLoading ? ' camera__predictions--stale' : ''}`}>
      {modelLoading && (
        <p className="camera__stale small" data-testid="camera-stale">
          {VARIANTS[live.variant].label}’s last answer: the new model is loading.
        </p>
      )}
      <ol className="predictions" aria-label={`Live top ${topK}`}>
        {live.predictions.slice(0, topK).map((p, i) => (
          <PredictionRow key={p.classIndex} prediction={p} rank={i + 1} testId="camera-prediction" />
        ))}
      </ol>
    </div>
  );
}
