/** A weights download in progress, with its bytes and a Cancel button. */
import { useAppStore } from '../store';
import { useDownload } from '../store/hooks';
import { formatBytes } from '../shared/format';

export function DownloadProgress() {
  const download = useDownload();
  const cancel = useAppStore((s) => s.cancelDownload);
  if (!download) return null;
  const { message, loaded = 0, total = null } = download;
  return (
    <div className="download" aria-live="polite">
      <div className="download__text small">
        <span className="download__label" title={message}>
          {message}
        </span>
        <span className="muted">
          {formatBytes(loaded)}
          {total !== null ? ` of ${formatBytes(total)}` : ''}
        </span>
      </div>
      <div className="download__row">
        {/* Without a known total the bar is indeterminate rather than pretending. */}
        <progress
          data-testid="weights-progress"
          max={total ?? undefined}
          value={total !== null ? loaded : undefined}
        />
        <button type="button" className="link-button small" data-testid="weights-cancel" onClick={cancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
