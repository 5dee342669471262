/** How far the comparison is (answers in, out of images x models), what it does now, and Cancel or Resume. */
import { useAppStore } from '../store';
import { useCompareCounts, useCompareRun } from '../store/compareHooks';
import './compare.css';

interface Props {
  labels: ReadonlyMap<string, string>;
}

export function CompareProgress({ labels }: Props) {
  const { done, total, cancelled } = useCompareCounts();
  const { loading, inFlight } = useCompareRun();
  const cancel = useAppStore((s) => s.cancelComparison);
  const resume = useAppStore((s) => s.resumeComparison);
  const label = (id: string) => labels.get(id) ?? id;
  if (total > 0 && done >= total) {
    if (cancelled === 0) return null;
    return (
      <p className="compare-progress compare-progress--stopped small" data-testid="compare-cancelled">
        {cancelled} answer{cancelled === 1 ? '' : 's'} cancelled.{' '}
        <button type="button" className="link-button" data-testid="compare-resume" onClick={resume}>
          Resume
        </button>
      </p>
    );
  }
  if (total === 0) return null;
  const pct = loading?.progress.fraction == null ? null : Math.round(loading.progress.fraction * 100);
  const now = loading
    ? `Loading ${label(loading.modelId)}${pct === null ? '' : ` (${pct}%)`}`
    : inFlight
      ? `${label(inFlight.modelId)}: ${inFlight.imageIds.length} image${inFlight.imageIds.length === 1 ? '' : 's'}`
      : '';
  return (
    <div className="compare-progress" data-testid="compare-progress" data-done={done} data-total={total}>
      <progress value={done} max={total} aria-label="Comparison progress" />
      <span className="small" data-testid="compare-count">
        {done} of {total} answers
      </span>
      {now && <span className="small muted compare-progress__now">{now}</span>}
      <button type="button" className="link-button small" data-testid="compare-cancel" onClick={cancel}>
        Cancel
      </button>
    </div>
  );
}
