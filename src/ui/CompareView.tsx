/**
 * The results area of compare mode: progress, the agreement summary, accuracy when the images came in labeled
 * folders, one row per image with a column per model, and Look inside's maps of every compared model.
 */
import { useMemo } from 'react';

import { disagreementsFirst, rowHasDisagreement } from '../shared/comparison';
import { useAppStore } from '../store';
import {
  useActiveModelId,
  useCompareRun,
  useComparedCams,
  useComparedIds,
  useComparisonRows,
  useDisagreementsFirst,
  useModelLabels,
} from '../store/compareHooks';
import { useImages, useTopK } from '../store/hooks';
import { ComparedCams } from './ComparedCams';
import { CompareProgress } from './CompareProgress';
import { CompareRow } from './CompareRow';
import { CompareSummary } from './CompareSummary';
import { EvalPanel } from './EvalPanel';
import { ResultsExport } from './ResultsExport';
import './compare.css';

export function CompareView() {
  const images = useImages();
  const modelIds = useComparedIds();
  const activeId = useActiveModelId();
  const labels = useModelLabels();
  const rows = useComparisonRows();
  const topK = useTopK();
  const sorted = useDisagreementsFirst();
  const { loading } = useCompareRun();
  const cams = useComparedCams();
  const setSorted = useAppStore((s) => s.setDisagreementsFirst);
  const clearImages = useAppStore((s) => s.clearImages);
  // Rows keep the images' order unless disagreements go first (shared/comparison's order, stable within groups).
  const order = useMemo(() => {
    if (!sorted) return images;
    const imageOf = new Map(rows.map((row, i) => [row, images[i]!]));
    return disagreementsFirst(rows).map((row) => imageOf.get(row)!);
  }, [rows, images, sorted]);
  const disagreements = rows.filter(rowHasDisagreement).length;
  return (
    <section className="compare" aria-label="Comparison" data-testid="compare-view">
      <div className="compare__bar">
        <span className="muted small">
          {images.length} image{images.length === 1 ? '' : 's'} × {modelIds.length} models
          {images.length > 0 && ` · ${disagreements} with differing top-1`}
        </span>
        <label className="compare-check small">
          <input
            type="checkbox"
            data-testid="disagreements-first"
            checked={sorted}
            onChange={(e) => setSorted(e.target.checked)}
          />
          <span>Disagreements first</span>
        </label>
        <ResultsExport />
        {images.length > 0 && (
          <button type="button" className="link-button small" data-testid="clear-all" onClick={clearImages}>
            Clear all
          </button>
        )}
      </div>
      <CompareProgress labels={labels} />
      {images.length === 0 ? (
        <p className="panel muted small">Drop images above: each is classified by every chosen model.</p>
      ) : (
        <>
          <section className="panel" aria-label="Comparison summary">
            <h2>Summary</h2>
            <CompareSummary rows={rows} modelIds={modelIds} labels={labels} topK={topK} />
          </section>
          <EvalPanel modelIds={modelIds} />
          <ol className="compare__rows">
            {order.map((image) => (
              <CompareRow
                key={image.id}
                image={image}
                modelIds={modelIds}
                activeId={activeId}
                labels={labels}
                loadingId={loading?.modelId ?? null}
                topK={topK}
                inspected={cams?.imageId === image.id}
              />
            ))}
          </ol>
        </>
      )}
      <ComparedCams />
    </section>
  );
}
