/**
 * Taught models kept and carried: Export the active one as one file, Import one, and the models kept in this
 * browser, each with Open and Delete. Why an import or an open was refused is said here.
 */
import { useId } from 'react';

import { formatBytes } from '../shared/format';
import { VARIANTS } from '../shared/variants';
import { useAppStore } from '../store';

export function TeachKept() {
  const taught = useAppStore((s) => s.taught);
  const kept = useAppStore((s) => s.keptModels);
  const error = useAppStore((s) => s.keptError);
  const busy = useAppStore((s) => s.keptBusy || s.teachPhase !== null || s.modelStatus !== 'ready');
  const exportTaught = useAppStore((s) => s.exportTaughtModel);
  const importTaught = useAppStore((s) => s.importTaughtModel);
  const open = useAppStore((s) => s.openKeptModel);
  const remove = useAppStore((s) => s.deleteKeptModel);
  const importId = useId();
  const listId = useId();
  return (
    <div className="teach-kept">
      <p className="small muted">
        Taught models are kept in this browser. Export saves one file: the new last layer, its classes, and
        which model and weights it runs on; Import opens such a file here or in another browser that has those
        weights.
      </p>
      <div className="teach-run__buttons">
        <button
          type="button"
          className="button"
          data-testid="teach-export"
          disabled={!taught || busy}
          onClick={() => void exportTaught()}
        >
          Export {taught ? taught.id : 'the taught model'}
        </button>
        <label className="button teach-import" htmlFor={importId}>
          Import a taught model…
          <input
            id={importId}
            type="file"
            className="visually-hidden"
            accept=".zip,application/zip"
            data-testid="teach-import"
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void importTaught(file);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {error && (
        <div className="teach-error" data-testid="teach-error" role="alert">
          <p className="small">{error}</p>
        </div>
      )}
      {kept.length > 0 && (
        <section className="teach-kept__list" aria-labelledby={listId}>
          <h3 className="small" id={listId}>
            Kept in this browser
          </h3>
          <ul data-testid="teach-kept">
            {kept.map((m) => (
              <li key={m.name} className="small" data-testid="teach-kept-model" data-name={m.name}>
                <span className="teach-kept__name">
                  <strong>custom:{m.name}</strong>{' '}
                  <span className="muted">
                    {m.classNames.join(', ')} · on {VARIANTS[m.backbone.variant].label} ·{' '}
                    {formatBytes(m.bytes)}
                  </span>
                </span>
                <span className="teach-kept__buttons">
                  <button
                    type="button"
                    className="button teach-kept__button"
                    data-testid="teach-kept-open"
                    disabled={busy || taught?.name === m.name}
                    onClick={() => void open(m.name)}
                  >
                    {taught?.name === m.name ? 'Active' : 'Open'}
                  </button>
                  <button
                    type="button"
                    className="button teach-kept__button"
                    data-testid="teach-kept-delete"
                    disabled={busy}
                    aria-label={`Delete custom:${m.name}`}
                    onClick={() => void remove(m.name)}
                  >
                    Delete
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
