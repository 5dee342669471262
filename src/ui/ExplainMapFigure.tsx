/**
 * One explanation map as a figure: the input with the map over it, its stage, method and size, and integrated
 * gradients' completeness check. Without a map yet it is the input alone, marked as computing.
 */
import { explainMethodSpec } from '../shared/explain';
import type { Completeness, ExplainMap, ExplainMethod } from '../shared/explain';
import { formatMs } from '../shared/format';
import { IMAGENET_LABELS } from '../shared/imagenetLabels';
import { ExplainMapCanvas } from './ExplainMapCanvas';

const className = (i: number) => IMAGENET_LABELS[i] ?? `class ${i}`;

interface Props {
  input: ImageBitmap;
  opacity: number;
  stage: string;
  request: { method: ExplainMethod; classIndex: number };
  /** null while it is computed. */
  map: ExplainMap | null;
  /** A sweep's maps share their passes: the time is shown once for all of them, not on each. */
  inSweep: boolean;
}

export function ExplainMapFigure({ input, opacity, stage, request, map, inSweep }: Props) {
  const label = explainMethodSpec(request.method).label;
  return (
    <figure className={`explain-map${map ? '' : ' explain-map--running'}`}>
      <ExplainMapCanvas
        input={input}
        overlay={map?.bitmap ?? null}
        opacity={opacity}
        className="explain-map__canvas"
        data-testid="explain-map"
        data-method={request.method}
        data-stage={stage}
        data-class-index={request.classIndex}
        data-state={map ? 'done' : 'running'}
        data-height={map?.height}
        data-width={map?.width}
        role="img"
        aria-label={`${label} at ${stage} for “${className(request.classIndex)}”${map ? '' : ' (computing)'}`}
        aria-busy={!map}
      />
      <figcaption>
        <strong>{stage}</strong>
        <span>{label}</span>
        <span className="muted small explain-map__meta">
          {map ? `${map.height}×${map.width} map${inSweep ? '' : ` · ${formatMs(map.ms)}`}` : 'computing…'}
        </span>
      </figcaption>
      {map?.completeness && <CompletenessNote completeness={map.completeness} />}
    </figure>
  );
}

function CompletenessNote({ completeness }: { completeness: Completeness }) {
  const { attributionSum, scoreDifference } = completeness;
  return (
    <p
      className="explain-map__completeness small"
      data-testid="explain-completeness"
      data-attribution-sum={attributionSum}
      data-score-difference={scoreDifference}
    >
      {completenessText(attributionSum, scoreDifference)}
    </p>
  );
}

const fmt = (v: number) => (Math.abs(v) >= 100 || Math.abs(v) < 0.01 ? v.toExponential(2) : v.toFixed(3));

function completenessText(sum: number, difference: number): string {
  const off = difference === 0 ? null : (Math.abs(sum - difference) / Math.abs(difference)) * 100;
  return `Attributions sum to ${fmt(sum)}; score difference ${fmt(difference)}${off === null ? '' : ` (${off < 0.1 ? off.toFixed(2) : off.toFixed(1)}% off)`}.`;
}
