/**
 * The feature visualization's picture: the run's latest while it runs, its final one after, with the objective's
 * final value and the PNG and JSON exports.
 */
import { useEffect, useRef } from 'react';

import { formatMs } from '../shared/format';
import { useAppStore } from '../store';
import { useFeatureVisPicture } from '../store/featureVisHooks';
import { featVisFileName, featureVisTargetName } from '../store/featureVisSlice';
import { saveToDisk } from '../store/saveToDisk';

export function FeatureVisFigure() {
  const ref = useRef<HTMLCanvasElement>(null);
  const { status, picture, pictureStep, outcome, target } = useFeatureVisPicture();
  const fileName = useAppStore((s) => featVisFileName(s));
  const exportJson = useAppStore((s) => s.exportFeatVisJson);
  const width = picture?.width ?? 224;
  const height = picture?.height ?? 224;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    if (!picture) {
      ctx.clearRect(0, 0, width, height);
      return;
    }
    // A copy: ImageData wants a buffer of its own, and the store's picture stays as it is.
    ctx.putImageData(new ImageData(new Uint8ClampedArray(picture.rgba), picture.width), 0, 0);
  }, [picture, width, height]);
  if (status === 'idle') return null;
  const shownTarget = outcome?.target ?? target;
  const savePng = () =>
    ref.current?.toBlob((blob) => {
      if (blob) saveToDisk(`${fileName}.png`, blob, 'image/png');
    }, 'image/png');
  return (
    <figure className="featvis__figure">
      <canvas
        ref={ref}
        className="featvis__canvas"
        width={width}
        height={height}
        data-testid="featvis-image"
        data-state={status}
        data-target={shownTarget ? featureVisTargetName(shownTarget) : ''}
        data-activation={outcome ? String(outcome.value) : ''}
        data-steps={pictureStep}
        role="img"
        aria-label={`Feature visualization of ${shownTarget ? featureVisTargetName(shownTarget) : 'nothing yet'}`}
      />
      <figcaption className="small">
        {outcome ? (
          <>
            Final value <strong>{outcome.value.toFixed(3)}</strong> after {outcome.steps} steps, seed{' '}
            {outcome.seed}; {formatMs(outcome.totalMs)} in all, {formatMs(outcome.stepMs)} a step (median).
          </>
        ) : status === 'running' ? (
          pictureStep > 0 ? (
            `After ${pictureStep} steps…`
          ) : (
            'The first picture comes after a few steps…'
          )
        ) : (
          `Stopped after ${pictureStep} steps.`
        )}
      </figcaption>
      {outcome && status === 'done' && (
        <div className="featvis__exports">
          <button type="button" className="button" data-testid="featvis-export-png" onClick={savePng}>
            Export PNG
          </button>
          <button type="button" className="button" data-testid="featvis-export-json" onClick={exportJson}>
            Export JSON
          </button>
        </div>
      )}
    </figure>
  );
}
