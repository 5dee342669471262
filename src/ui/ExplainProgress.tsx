/**
 * The explanation job the engine is on (a map, faithfulness curves, a sanity check): how far along it is, and a
 * Cancel that stops it and anything waiting behind it.
 */
import { useAppStore } from '../store';
import type { ExplainLane } from '../store/explainSlice';
import { useExplainProgress } from '../store/hooks';

const WHAT: Readonly<Record<ExplainLane, string>> = {
  explanation: 'Explaining',
  explainFaithfulness: 'Measuring faithfulness',
  explainComparison: 'Comparing methods',
  explainSanity: 'Sanity check',
};

export function ExplainProgress() {
  const job = useExplainProgress();
  const cancel = useAppStore((s) => s.cancelExplain);
  if (!job) return null;
  const { fraction, message } = job.progress;
  const what = WHAT[job.lane];
  const pct = fraction === null ? null : Math.round(fraction * 100);
  return (
    <div className="explain-progress">
      <div className="download__text small">
        <span className="download__label" title={message}>
          {what}: {message}
        </span>
        {pct !== null && <span className="muted">{pct}%</span>}
      </div>
      <div className="download__row">
        {/* Without a known fraction the bar is indeterminate rather than pretending. */}
        <progress data-testid="explain-progress" aria-label={what} max={1} value={fraction ?? undefined} />
        <button type="button" className="button" data-testid="explain-cancel" onClick={cancel}>
          Cancel
        </button>
      </div>
      {/* Announced in tens of percent: every step would drown a screen reader. */}
      <p className="visually-hidden" role="status">
        {what}
        {pct === null ? '' : `, ${Math.floor(pct / 10) * 10}%`}
      </p>
    </div>
  );
}
