/**
 * One deletion or insertion curve as a small line plot: the class probability as the most-attributed pixels
 * are removed (or put back), with the area under it. A faithful map makes deletion fall fast and insertion rise fast.
 */
import { useId } from 'react';

interface Props {
  kind: 'deletion' | 'insertion';
  /** Probabilities from 0% to 100% of the pixels, evenly spaced. */
  values: readonly number[];
  auc: number;
}

const W = 168;
const H = 104;
const PLOT = { left: 22, right: W - 6, top: 8, bottom: H - 24 };

const x = (i: number, n: number) => PLOT.left + ((PLOT.right - PLOT.left) * i) / Math.max(1, n - 1);
const y = (v: number) => PLOT.bottom - (PLOT.bottom - PLOT.top) * Math.min(1, Math.max(0, v));

export function FaithfulnessPlot({ kind, values, auc }: Props) {
  const titleId = useId();
  const line = values.map((v, i) => `${x(i, values.length).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const area = `${PLOT.left},${PLOT.bottom} ${line} ${PLOT.right},${PLOT.bottom}`;
  const first = values[0] ?? 0;
  const last = values.at(-1) ?? 0;
  const verb = kind === 'deletion' ? 'removed' : 'inserted';
  return (
    <figure className={`faith-plot faith-plot--${kind}`} data-testid={`faithfulness-${kind}`}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-labelledby={titleId}
        data-points={values.length}
      >
        <title id={titleId}>
          {`${kind === 'deletion' ? 'Deletion' : 'Insertion'} curve: the probability goes from ${first.toFixed(2)} to ${last.toFixed(2)} as the most-attributed pixels are ${verb}; area under it ${auc.toFixed(3)}.`}
        </title>
        <g className="faith-plot__grid">
          <line x1={PLOT.left} y1={y(0.5)} x2={PLOT.right} y2={y(0.5)} />
          <line x1={PLOT.left} y1={y(1)} x2={PLOT.right} y2={y(1)} />
        </g>
        <polygon className="faith-plot__area" points={area} />
        <polyline className="faith-plot__line" points={line} />
        <g className="faith-plot__axes">
          <line x1={PLOT.left} y1={PLOT.top} x2={PLOT.left} y2={PLOT.bottom} />
          <line x1={PLOT.left} y1={PLOT.bottom} x2={PLOT.right} y2={PLOT.bottom} />
        </g>
        <g className="faith-plot__ticks">
          <text x={PLOT.left - 4} y={y(1) + 3} textAnchor="end">
            1
          </text>
          <text x={PLOT.left - 4} y={y(0) + 3} textAnchor="end">
            0
          </text>
          <text x={PLOT.left} y={H - 12} textAnchor="start">
            0%
          </text>
          <text x={PLOT.right} y={H - 12} textAnchor="end">
            100%
          </text>
          <text x={(PLOT.left + PLOT.right) / 2} y={H - 3} textAnchor="middle">
            pixels {verb}
          </text>
        </g>
      </svg>
      <figcaption className="small">
        <strong>{kind === 'deletion' ? 'Deletion' : 'Insertion'}</strong> AUC {auc.toFixed(3)}{' '}
        <span className="muted">({kind === 'deletion' ? 'lower' : 'higher'} is better)</span>
      </figcaption>
    </figure>
  );
}
