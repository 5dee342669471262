/** Weights kept in this browser's Cache Storage, to load offline or delete. */
import { useAppStore } from '../store';
import { useCachedWeights, useModelState } from '../store/hooks';
import { formatBytes } from '../shared/format';

export function CachedWeightsList() {
  const cached = useCachedWeights();
  const { status } = useModelState();
  const load = useAppStore((s) => s.loadCachedWeights);
  const remove = useAppStore((s) => s.deleteCachedWeights);
  if (cached.length === 0) return null;
  return (
    <div className="cached">
      <h3 className="field__label">Cached in this browser</h3>
      <ul data-testid="cached-weights">
        {cached.map((entry) => (
          <li key={entry.id} data-testid="cached-weights-entry" data-name={entry.name}>
            <span className="cached__name small" title={entry.name}>
              {entry.name}
            </span>
            <span className="muted small">{formatBytes(entry.bytes)}</span>
            <button
              type="button"
              className="link-button small"
              disabled={status === 'loading'}
              onClick={() => void load(entry.id)}
            >
              Load
            </button>
            <button
              type="button"
              className="link-button small"
              aria-label={`Delete ${entry.name}`}
              onClick={() => void remove(entry.id)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
