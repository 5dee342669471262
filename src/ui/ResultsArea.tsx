/** The main results area: the comparison in compare mode (once two models are chosen), else the result cards. */
import { MIN_COMPARED } from '../shared/permalink';
import { useCompareMode, useComparedIds } from '../store/compareHooks';
import { CompareView } from './CompareView';
import { EvalPanel } from './EvalPanel';
import { ResultGrid } from './ResultGrid';
import './compare.css';

export function ResultsArea() {
  const compareMode = useCompareMode();
  const chosen = useComparedIds();
  if (compareMode && chosen.length >= MIN_COMPARED) return <CompareView />;
  return (
    <>
      {compareMode && (
        <p className="panel small compare-hint" data-testid="compare-hint">
          Choose at least {MIN_COMPARED} models under Compare to see every image classified by each.
        </p>
      )}
      <EvalPanel />
      <ResultGrid />
    </>
  );
}
