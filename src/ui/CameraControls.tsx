/**
 * The camera's bar: start or stop it, pick a camera when there are several, turn the heat map on, and take a
 * snapshot; while it is off, what it does in a line.
 */
import { useId } from 'react';

import { useAppStore } from '../store';
import { useCamera } from '../store/hooks';

export function CameraControls() {
  const { status, error, cameras, deviceId, stream, live, camOn } = useCamera();
  const startCamera = useAppStore((s) => s.startCamera);
  const stopCamera = useAppStore((s) => s.stopCamera);
  const setCameraCamOn = useAppStore((s) => s.setCameraCamOn);
  const takeSnapshot = useAppStore((s) => s.takeSnapshot);
  const selectId = useId();
  const on = status === 'live' || status === 'starting';
  return (
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
        <span className="small muted">Classify what your camera sees, live. Nothing leaves this device.</span>
      )}
    </div>
  );
}
