/** Whether the model is building, ready or failed, with the build's progress; a taught model by its own name. */
import { VARIANTS } from '../shared/variants';
import { useModelState } from '../store/hooks';
import { formatMs } from '../shared/format';

export function ModelStatusIndicator() {
  const { variant, status, progress, buildMs, taughtId, taughtName } = useModelState();
  const label = VARIANTS[variant].label;
  if (status === 'ready' && taughtId !== null)
    return (
      <div
        className="model-status model-status--ready"
        data-testid="model-status"
        data-state="ready"
        data-model={taughtId}
        data-build-ms=""
      >
        <span className="model-status__dot" aria-hidden="true" />
        <span>
          {taughtName} ready (taught on {label})
        </span>
      </div>
    );
  return (
    <div
      className={`model-status model-status--${status}`}
      data-testid="model-status"
      data-state={status}
      data-model={variant}
      data-build-ms={buildMs ?? ''}
    >
      <span className="model-status__dot" aria-hidden="true" />
      {status === 'loading' && (
        <div className="model-status__loading">
          <span>
            {label}: {progress?.message ?? 'Loading'}…
          </span>
          <progress max={1} value={progress?.fraction ?? 0} aria-label={`Building ${label}`} />
        </div>
      )}
      {status === 'ready' && (
        <span>
          {label} ready{buildMs !== null ? ` (built and warmed up in ${formatMs(buildMs)})` : ''}
        </span>
      )}
      {status === 'error' && <span>{label} failed to load</span>}
    </div>
  );
}
