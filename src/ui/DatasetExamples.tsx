/**
 * Dataset examples (issue #27): the page's images that raise the panel's unit most, highest first, each crop as
 * the network saw it with the cell where the unit is strongest outlined.
 */
import { useEffect, useRef } from 'react';

import type { FeatureVisTarget, UnitCell } from '../shared/protocol';
import { formatMs } from '../shared/format';
import { useAppStore } from '../store';
import { useDatasetExamplesJob } from '../store/featureVisHooks';
import { featureVisTargetName } from '../store/featureVisSlice';
import type { ShownExample } from '../store/featureVisSlice';

export function DatasetExamples() {
  const s = useDatasetExamplesJob();
  const find = useAppStore((st) => st.findDatasetExamples);
  const cancel = useAppStore((st) => st.cancelDatasetExamples);
  const running = s.status === 'running';
  const fraction = s.progress?.fraction ?? 0;
  return (
    <section className="featvis__examples" aria-labelledby="dataset-examples-title">
      <div className="featvis__examples-header">
        <div>
          <h4 id="dataset-examples-title">Dataset examples</h4>
          <p className="small muted">
            The images on this page ranked by the same unit ({unitMeasure(s.target)}); the top 9, with the
            patch where it is strongest outlined.
          </p>
        </div>
        <button
          type="button"
          className="button"
          data-testid="dataset-examples-run"
          disabled={!s.ready || !s.target || running || s.readImages === 0}
          onClick={() => void find()}
        >
          {s.readImages === 0 ? 'No classified images yet' : `Find examples among ${s.readImages} images`}
        </button>
      </div>
      {running && (
        <div className="download__row">
          <progress
            data-testid="dataset-examples-progress"
            aria-label="Dataset examples"
            max={1}
            value={fraction}
          />
          <span className="small muted">{s.progress?.message ?? 'Starting'}</span>
          <button type="button" className="button" data-testid="dataset-examples-cancel" onClick={cancel}>
            Cancel
          </button>
        </div>
      )}
      {!running && (s.status === 'cancelled' || s.status === 'error') && (
        <p className="small" role="status">
          {s.status === 'cancelled' ? 'Cancelled.' : <span className="warn">{s.error}</span>}
        </p>
      )}
      {s.examples && (
        <>
          <p className="small muted" role="status">
            {featureVisTargetName(s.examples.target)}: {s.examples.ranked} images ranked
            {s.examples.skipped > 0 ? `, ${s.examples.skipped} could not be read` : ''} in{' '}
            {formatMs(s.examples.totalMs)}.
          </p>
          <ol
            className="featvis__example-grid"
            data-testid="dataset-examples"
            data-target={featureVisTargetName(s.examples.target)}
          >
            {s.examples.shown.map((example, rank) => (
              <ExampleTile key={example.imageId} example={example} rank={rank} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function unitMeasure(target: FeatureVisTarget | null): string {
  if (!target) return 'choose one above';
  return target.kind === 'class' ? 'its logit' : 'the channel’s mean over the picture';
}

/** Early stages' cells are a few pixels wide: the outline is at least this share of the crop, centred on the cell. */
const MIN_OUTLINE = 1 / 7;

/** The square outlined for `cell` on a crop of `width` x `height`: the cell, or a larger square around it, inside the crop. */
function outlineOf(cell: UnitCell, width: number, height: number): { x: number; y: number; side: number } {
  const w = width / cell.cols;
  const h = height / cell.rows;
  const side = Math.max(w, h, MIN_OUTLINE * Math.min(width, height)) - 4;
  const clamp = (v: number, size: number) => Math.min(Math.max(v, 2), size - side - 2);
  return {
    x: clamp((cell.col + 0.5) * w - side / 2, width),
    y: clamp((cell.row + 0.5) * h - side / 2, height),
    side,
  };
}

function ExampleTile({ example, rank }: { example: ShownExample; rank: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { crop, cell } = example;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(crop.rgba), crop.width), 0, 0);
    if (!cell) return;
    const { x, y, side } = outlineOf(cell, crop.width, crop.height);
    // Dark under light, so the outline shows on any picture.
    ctx.lineWidth = 5;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.8)';
    ctx.strokeRect(x, y, side, side);
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = '#ffd400';
    ctx.strokeRect(x, y, side, side);
  }, [crop, cell]);
  const where = cell
    ? `, strongest at row ${cell.row + 1} of ${cell.rows}, column ${cell.col + 1} of ${cell.cols}`
    : '';
  return (
    <li
      className="featvis__example"
      data-testid="dataset-example"
      data-file-name={example.fileName}
      data-activation={String(example.value)}
    >
      <canvas
        ref={ref}
        width={crop.width}
        height={crop.height}
        role="img"
        aria-label={`${rank + 1}. ${example.fileName}: ${example.value.toFixed(3)}${where}`}
      />
      <span className="small featvis__example-caption" title={example.fileName}>
        {rank + 1}. {example.fileName}
      </span>
      <strong className="small">{example.value.toFixed(3)}</strong>
    </li>
  );
}
