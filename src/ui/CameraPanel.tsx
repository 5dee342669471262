/**
 * The live camera: a compact button that opens into the picture the model answers (each frame shown with its own
 * top-k, so answer, heat map and picture always agree), frames per second, an optional class activation map, and a
 * snapshot that becomes an ordinary card.
 */
import { useEffect, useRef, useState } from 'react';

import type { Prediction } from '../shared/predictions';
import { useAppStore } from '../store';
import { useCamera } from '../store/hooks';
import { CameraControls } from './CameraControls';
import { CameraView } from './CameraView';
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

export function CameraPanel() {
  const { error, stream, live } = useCamera();
  const dismissCameraError = useAppStore((s) => s.dismissCameraError);
  // Here rather than in the view: what was last said, and when, outlives closing and reopening the camera.
  const spoken = useSpokenTop1(live?.predictions[0]);
  return (
    <section className={`camera${stream ? ' camera--open' : ''}`} aria-label="Camera">
      <CameraControls />
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
      {stream && <CameraView stream={stream} spoken={spoken} />}
    </section>
  );
}
