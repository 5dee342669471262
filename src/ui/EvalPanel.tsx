/**
 * Accuracy on a labeled folder (an image's class is the folder it came in): per model top-1 and top-5, the images
 * it got wrong, and which classes it took for which. Shown only when some image's folder names a class.
 */
import { useMemo } from 'react';

import type { Evaluation } from '../shared/accuracy';
import { formatShare } from '../shared/format';
import { IMAGENET_LABELS } from '../shared/imagenetLabels';
import { useActiveModelId, useEvaluations, useHasFolderLabels, useModelLabels } from '../store/compareHooks';
import './compare.css';

interface Props {
  /** The models to score; none: the active model. */
  modelIds?: readonly string[];
}

export function EvalPanel({ modelIds }: Props) {
  const hasLabels = useHasFolderLabels();
  const activeId = useActiveModelId();
  const ids = useMemo(() => modelIds ?? (activeId ? [activeId] : []), [modelIds, activeId]);
  const evaluations = useEvaluations(ids);
  const labels = useModelLabels();
  if (!hasLabels || ids.length === 0) return null;
  return (
    <section
      className="panel eval-panel"
      aria-label="Accuracy on the labeled folder"
      data-testid="eval-panel"
    >
      <h2>Accuracy on the labeled folder</h2>
      <p className="small muted">
        Each image&apos;s true class is the nearest folder named after a class (&ldquo;tabby&rdquo;, or an
        index such as &ldquo;281&rdquo;).
      </p>
      <div className="eval-grid">
        {evaluations.map(({ modelId, evaluation }) => (
          <EvalSummary
            key={modelId}
            modelId={modelId}
            label={labels.get(modelId) ?? modelId}
            evaluation={evaluation}
          />
        ))}
      </div>
    </section>
  );
}

const className = (index: number) => IMAGENET_LABELS[index] ?? `class ${index}`;

function EvalSummary({
  modelId,
  label,
  evaluation: e,
}: {
  modelId: string;
  label: string;
  evaluation: Evaluation;
}) {
  // The diagonal is the correct answers, already counted in top-1.
  const confusions = e.confusion.filter((c) => c.trueIndex !== c.predictedIndex);
  const rate = (value: number | null, correct: number) =>
    value === null ? '–' : `${formatShare(value)} (${correct} of ${e.n})`;
  return (
    <section
      className="eval"
      data-testid="eval-summary"
      data-model-id={modelId}
      data-n={e.n}
      data-top1={e.top1 ?? ''}
      data-top5={e.top5 ?? ''}
      data-top1-correct={e.top1Correct}
      data-top5-correct={e.top5Correct}
      data-unlabeled={e.unlabeled}
      data-unscored={e.unscored}
      aria-label={`Accuracy of ${label}`}
    >
      <h3 className="eval__model">{label}</h3>
      <dl className="eval__rates">
        <div>
          <dt>Top-1</dt>
          <dd>{rate(e.top1, e.top1Correct)}</dd>
        </div>
        <div>
          <dt>Top-5</dt>
          <dd>{rate(e.top5, e.top5Correct)}</dd>
        </div>
      </dl>
      <p className="small muted">
        {e.n} scored
        {e.unlabeled > 0 && `, ${e.unlabeled} unlabeled (not in a class folder: classified, not scored)`}
        {e.unscored > 0 && `, ${e.unscored} failed to classify`}
      </p>
      {e.misclassified.length > 0 && (
        <>
          <h4 className="field__label">Misclassified</h4>
          <ul className="eval__list">
            {e.misclassified.map((m) => (
              <li
                key={m.fileName + m.trueIndex}
                data-testid="misclassified"
                data-file-name={m.fileName}
                data-true-index={m.trueIndex}
                data-predicted-index={m.predictedIndex}
              >
                <span className="eval__file" title={m.fileName}>
                  {m.fileName}
                </span>{' '}
                <span className="muted">is</span> {className(m.trueIndex)}
                <span className="muted">, said</span> {className(m.predictedIndex)}
              </li>
            ))}
          </ul>
        </>
      )}
      {confusions.length > 0 && (
        <>
          <h4 className="field__label">Confusions (true → predicted)</h4>
          <ul className="eval__list">
            {confusions.map((c) => (
              <li
                key={`${c.trueIndex}/${c.predictedIndex}`}
                data-testid="confusion"
                data-true-index={c.trueIndex}
                data-predicted-index={c.predictedIndex}
                data-count={c.count}
              >
                {className(c.trueIndex)} <span aria-label="taken for">→</span> {className(c.predictedIndex)}{' '}
                <span className="muted">×{c.count}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
