/** The ways in beside the drop zone: a whole folder, or an image's web address. */
import { useRef, useState } from 'react';

import { useAppStore } from '../store';
import { MAX_FOLDER_IMAGES } from '../store/intakeSlice';
import './intake.css';

export function MoreWaysIn() {
  const addPickedFolder = useAppStore((s) => s.addPickedFolder);
  const addImageFromUrl = useAppStore((s) => s.addImageFromUrl);
  const cancelUrlLoad = useAppStore((s) => s.cancelUrlLoad);
  const dismissUrlError = useAppStore((s) => s.dismissUrlError);
  const dismissNotice = useAppStore((s) => s.dismissIntakeNotice);
  const urlIntake = useAppStore((s) => s.urlIntake);
  const notice = useAppStore((s) => s.intakeNotice);
  const folderInput = useRef<HTMLInputElement | null>(null);
  const [url, setUrl] = useState('');
  const loading = urlIntake.status === 'loading';

  return (
    <div className="intake">
      <div className="intake__row">
        <button type="button" className="button" onClick={() => folderInput.current?.click()}>
          Choose a folder…
        </button>
        {/* webkitdirectory is not in React's types; set as a property, it shows as the attribute too. */}
        <input
          ref={(el) => {
            folderInput.current = el;
            if (el) el.webkitdirectory = true;
          }}
          data-testid="folder-input"
          className="visually-hidden"
          type="file"
          multiple
          tabIndex={-1}
          aria-label="Choose a folder of images to classify"
          onChange={(e) => {
            addPickedFolder(Array.from(e.target.files ?? []));
            e.target.value = ''; // the same folder picked again is classified again
          }}
        />
        <form
          className="url-row intake__url"
          onSubmit={(e) => {
            e.preventDefault();
            if (url.trim()) void addImageFromUrl(url.trim());
          }}
        >
          <input
            data-testid="url-input"
            type="url"
            inputMode="url"
            placeholder="or an image's address: https://…/photo.jpg"
            aria-label="Image address"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
          <button type="submit" className="button" data-testid="url-load" disabled={loading || !url.trim()}>
            Load
          </button>
        </form>
      </div>
      <p className="intake__hint muted small">
        A folder brings every image inside it, subfolders too (up to{' '}
        {MAX_FOLDER_IMAGES.toLocaleString('en-US')}). An address is fetched by your browser from that site,
        which must allow other pages to read its images.
      </p>
      {loading && (
        <p className="intake__status small" role="status" data-testid="url-loading">
          Loading {urlIntake.url}…{' '}
          <button type="button" className="link-button" onClick={cancelUrlLoad}>
            Cancel
          </button>
        </p>
      )}
      {urlIntake.error && (
        <div
          className="intake__message intake__message--error small"
          role="alert"
          data-testid="error"
          data-error-code={urlIntake.error.code}
        >
          {/* The address and the server's words are user-controlled: text, never HTML. */}
          <span>{urlIntake.error.message}</span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={dismissUrlError}>
            ×
          </button>
        </div>
      )}
      {notice && (
        <div className="intake__message small" role="status" data-testid="intake-notice">
          <span>{notice}</span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={dismissNotice}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}
