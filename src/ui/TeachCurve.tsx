/** Loss and accuracy per epoch, on the images learned from and on those held out: two small line charts. */
import type { EpochRecord } from '../shared/teach/teachJob';

const W = 240;
const H = 90;
const PAD = 4;
/** Room above the lines for the chart's name, so a curve at its top (accuracy 1) does not cross it. */
const TOP = 20;

type Metric = 'Loss' | 'Accuracy';

function points(values: readonly number[], top: number): string {
  const step = values.length > 1 ? (W - 2 * PAD) / (values.length - 1) : 0;
  return values
    .map((v, i) => `${(PAD + i * step).toFixed(1)},${(H - PAD - (v / top) * (H - PAD - TOP)).toFixed(1)}`)
    .join(' ');
}

function Chart({ metric, train, heldOut }: { metric: Metric; train: number[]; heldOut: number[] }) {
  // Accuracy is drawn on 0..1; loss on 0..its largest value, so the curves fill the chart.
  const top = metric === 'Accuracy' ? 1 : Math.max(1e-6, ...train, ...heldOut);
  const last = (values: number[]) => values.at(-1)?.toFixed(metric === 'Loss' ? 3 : 2) ?? '';
  return (
    <svg
      className="teach-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${metric} per epoch: last ${last(train)} on the images learned from, ${last(heldOut)} held out`}
    >
      <title>{metric}</title>
      <rect className="teach-chart__frame" x={0.5} y={0.5} width={W - 1} height={H - 1} />
      <polyline className="teach-chart__train" points={points(train, top)} />
      <polyline className="teach-chart__held-out" points={points(heldOut, top)} />
      <text className="teach-chart__label" x={W - PAD - 2} y={14} textAnchor="end">
        {metric}
      </text>
    </svg>
  );
}

export function TeachCurve({ epochs, best }: { epochs: readonly EpochRecord[]; best: number | null }) {
  return (
    <figure className="teach-curve" data-testid="teach-curve" data-epochs={epochs.length}>
      <Chart
        metric="Loss"
        train={epochs.map((e) => e.trainLoss)}
        heldOut={epochs.map((e) => e.heldOutLoss)}
      />
      <Chart
        metric="Accuracy"
        train={epochs.map((e) => e.trainAccuracy)}
        heldOut={epochs.map((e) => e.heldOutAccuracy)}
      />
      <figcaption className="small muted">
        <span className="teach-key teach-key--train" aria-hidden="true" /> learned from{' '}
        <span className="teach-key teach-key--held-out" aria-hidden="true" /> held out · {epochs.length} epoch
        {epochs.length === 1 ? '' : 's'}
        {best !== null ? `, kept epoch ${best + 1}` : ''}
      </figcaption>
    </figure>
  );
}
