/** One image in compare mode: its thumbnail and name, then one cell per compared model with its top-k and time. */
import { memo, useMemo } from 'react';

import { rowHasDisagreement, top1Differs } from '../shared/comparison';
import { formatMs } from '../shared/format';
import type { Prediction } from '../shared/predictions';
import { useAppStore } from '../store';
import type { ImageItem } from '../store';
import { cellOf, comparisonRows } from '../store/compareRows';
import type { CompareCell } from '../store/compareRows';
import { PredictionRow } from './PredictionRow';
import './compare.css';

interface CellView {
  modelId: string;
  label: string;
  cell: CompareCell | undefined;
  /** What a cell without an answer is waiting for: its batch with the engine, its model loading, or its turn. */
  waiting: 'classifying' | 'loading' | 'queued';
}

interface Props {
  image: ImageItem;
  modelIds: readonly string[];
  activeId: string | null;
  labels: ReadonlyMap<string, string>;
  /** The compared model loading into the slot now, if any. */
  loadingId: string | null;
  topK: number;
  inspected: boolean;
}

const WAITING_TEXT = {
  classifying: 'Classifying…',
  loading: 'Loading the model…',
  queued: 'Waiting…',
} as const;

/**
 * Memoized, and reading its own image's answers from the store: a finished batch replaces a few images' answers,
 * and only those rows render again.
 */
export const CompareRow = memo(function CompareRow({
  image,
  modelIds,
  activeId,
  labels,
  loadingId,
  topK,
  inspected,
}: Props) {
  const removeImage = useAppStore((s) => s.removeImage);
  const inspectCompared = useAppStore((s) => s.inspectCompared);
  const results = useAppStore((s) => s.compareResults[image.id]);
  const classifyingId = useAppStore((s) =>
    s.compareInFlight?.imageIds.includes(image.id) ? s.compareInFlight.modelId : null,
  );
  const cells = useMemo((): CellView[] => {
    const own = results ? { [image.id]: results } : {};
    return modelIds.map((modelId) => {
      const cell = cellOf(image, modelId, activeId, own);
      const classifying = modelId === activeId ? image.status === 'classifying' : classifyingId === modelId;
      return {
        modelId,
        label: labels.get(modelId) ?? modelId,
        cell,
        waiting: classifying ? 'classifying' : loadingId === modelId ? 'loading' : 'queued',
      };
    });
  }, [image, modelIds, activeId, labels, loadingId, results, classifyingId]);
  // The row as the summary measures it: each answer's top-k.
  const row = useMemo(
    () => comparisonRows([image], modelIds, activeId, results ? { [image.id]: results } : {}, topK)[0]!,
    [image, modelIds, activeId, results, topK],
  );
  return (
    <li
      className={`compare-row${inspected ? ' compare-row--inspected' : ''}`}
      data-testid="compare-row"
      data-file-name={image.fileName}
      data-disagreement={String(rowHasDisagreement(row))}
    >
      <div className="compare-row__image">
        <div className="compare-row__thumb">
          {image.thumbUrl ? <img src={image.thumbUrl} alt="" /> : <div aria-hidden="true" />}
        </div>
        <div className="compare-row__name">
          {/* The file name is user-controlled: rendered as text, never as HTML. */}
          <h3 title={image.fileName}>{image.fileName}</h3>
          <div className="compare-row__actions">
            {image.status === 'done' && (
              <button
                type="button"
                className="link-button small"
                data-testid="compare-inspect"
                aria-pressed={inspected}
                onClick={() => void inspectCompared(image.id)}
              >
                {inspected && <span aria-hidden="true">▸ </span>}
                Look inside
              </button>
            )}
            <button
              type="button"
              className="link-button small"
              aria-label={`Remove ${image.fileName}`}
              onClick={() => removeImage(image.id)}
            >
              Remove
            </button>
          </div>
        </div>
      </div>
      <div className="compare-row__cells">
        {cells.map((view) => (
          <Cell key={view.modelId} view={view} differs={top1Differs(row, view.modelId)} topK={topK} />
        ))}
      </div>
    </li>
  );
});

function Cell({ view, differs, topK }: { view: CellView; differs: boolean; topK: number }) {
  const { cell } = view;
  return (
    // A group, not a section: two hundred cells must not become two hundred landmarks.
    <div
      role="group"
      className={`compare-cell${differs ? ' compare-cell--differs' : ''}`}
      data-testid="compare-cell"
      data-model-id={view.modelId}
      data-status={cell ? cell.status : view.waiting}
      data-top1-differs={String(differs)}
      data-ms={cell?.status === 'done' ? cell.ms : ''}
      aria-label={view.label}
    >
      <header className="compare-cell__head">
        <span className="compare-cell__model" title={view.modelId}>
          {view.label}
        </span>
        {/* Said in words and with a sign, not by the border's colour alone. */}
        {differs && (
          <span className="compare-cell__differs" data-testid="differs-mark">
            <span aria-hidden="true">≠ </span>differs
          </span>
        )}
      </header>
      {cell?.status === 'done' && <Predictions predictions={cell.predictions} topK={topK} />}
      {cell?.status === 'error' && (
        <p className="compare-cell__error" data-testid="compare-error">
          {cell.message}
        </p>
      )}
      {!cell && <p className="compare-cell__waiting muted small">{WAITING_TEXT[view.waiting]}</p>}
      {cell?.status === 'done' && (
        <p className="compare-cell__time muted small" data-testid="compare-time">
          {formatMs(cell.ms)}
        </p>
      )}
    </div>
  );
}

function Predictions({ predictions, topK }: { predictions: readonly Prediction[]; topK: number }) {
  return (
    <ol className="predictions">
      {predictions.slice(0, topK).map((p, i) => (
        <PredictionRow key={p.classIndex} prediction={p} rank={i + 1} />
      ))}
    </ol>
  );
}
