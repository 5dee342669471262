/** One image's card: thumbnail, name, top-k predictions, time, and Look inside. */
import { memo } from 'react';

import { VARIANTS } from '../shared/variants';
import { useAppStore } from '../store';
import type { ImageItem } from '../store';
import { useTopK } from '../store/hooks';
import { formatMs } from '../shared/format';
import { PredictionRow } from './PredictionRow';

interface Props {
  image: ImageItem;
}

const STATUS_TEXT = { queued: 'Waiting…', classifying: 'Classifying…', done: '', error: '' } as const;

/**
 * One image's card. Memoized: with 200 images queued, every finished image replaces one item of the list,
 * and only that card should render again (the others keep their identity).
 */
export const ResultCard = memo(function ResultCard({ image }: Props) {
  const topK = useTopK();
  const removeImage = useAppStore((s) => s.removeImage);
  const inspectImage = useAppStore((s) => s.inspectImage);
  const inspected = useAppStore((s) => s.inspectedImageId === image.id);
  const busy = image.status === 'queued' || image.status === 'classifying';
  return (
    <article
      className={`card${busy ? ' card--busy' : ''}${inspected ? ' card--inspected' : ''}`}
      data-testid="result"
      data-file-name={image.fileName}
      data-relative-path={image.relativePath ?? ''}
      data-status={image.status}
      data-variant={image.variant ?? ''}
      data-inspected={inspected}
      data-total-ms={image.totalMs ?? ''}
      data-inference-ms={image.inferenceMs ?? ''}
      aria-busy={busy}
    >
      <div className="card__thumb">
        {image.thumbUrl ? (
          <img src={image.thumbUrl} alt="" />
        ) : (
          <div className="card__thumb-missing" aria-hidden="true">
            {image.error ? '?' : ''}
          </div>
        )}
      </div>
      <div className="card__body">
        <header className="card__header">
          {/* The file name is user-controlled: rendered as text, never as HTML. */}
          <h3 className="card__name" title={image.fileName}>
            {image.fileName}
          </h3>
          <button
            type="button"
            className="icon-button"
            aria-label={`Remove ${image.fileName}`}
            onClick={() => removeImage(image.id)}
          >
            ×
          </button>
        </header>
        {image.relativePath && (
          // Where it sat in the dropped folder: the path is the user's, shown as text.
          <p className="card__path muted small" data-testid="result-path" title={image.relativePath}>
            {image.relativePath.split('/').slice(0, -1).join('/')}/
          </p>
        )}
        {image.error ? (
          <p className="card__error" role="alert" data-testid="error" data-error-code={image.error.code}>
            {image.error.message}
          </p>
        ) : (
          <>
            {image.notice ? (
              <p className="card__notice" data-testid="result-notice">
                {image.notice}
              </p>
            ) : null}
            {image.predictions ? (
              <ol className="predictions">
                {image.predictions.slice(0, topK).map((p, i) => (
                  <PredictionRow
                    key={p.classIndex}
                    prediction={p}
                    rank={i + 1}
                    onSelect={
                      image.status === 'done' ? () => void inspectImage(image.id, p.classIndex) : undefined
                    }
                  />
                ))}
              </ol>
            ) : (
              <div className="card__placeholder" />
            )}
            <div className="card__footer">
              <p className="card__meta muted small">
                {busy
                  ? STATUS_TEXT[image.status]
                  : [
                      image.variant ? VARIANTS[image.variant].label : null,
                      image.totalMs !== null ? formatMs(image.totalMs) : null,
                      image.sourceSize ? `${image.sourceSize.width}x${image.sourceSize.height}` : null,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
              </p>
              {image.status === 'done' && (
                <button
                  type="button"
                  className="link-button small"
                  data-testid="inspect-button"
                  aria-pressed={inspected}
                  onClick={() => void inspectImage(image.id)}
                >
                  {/* The open card is marked by more than its border's colour. */}
                  {inspected && (
                    <span className="card__open-mark" aria-hidden="true">
                      ▸{' '}
                    </span>
                  )}
                  Look inside
                </button>
              )}
            </div>
          </>
        )}
      </div>
    </article>
  );
});
