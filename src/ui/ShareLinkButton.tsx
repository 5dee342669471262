/**
 * Copies a link to the page with its current settings (model or compared models, backend, k, Look inside's
 * method and stage), never its images; where the clipboard is refused, shows the link to copy by hand.
 */
import { useRef, useState } from 'react';

import { useAppStore } from '../store';
import { shareUrl } from '../store/shareLink';
import './intake.css';

type CopyState = { status: 'idle' } | { status: 'copied'; link: string } | { status: 'manual'; link: string };

export function ShareLinkButton() {
  const [copy, setCopy] = useState<CopyState>({ status: 'idle' });
  const field = useRef<HTMLInputElement>(null);

  const copyLink = async () => {
    const link = shareUrl(useAppStore.getState(), window.location.href);
    try {
      // Refused without a secure context or the user's permission; the field below is then the way.
      await navigator.clipboard.writeText(link);
      setCopy({ status: 'copied', link });
    } catch {
      setCopy({ status: 'manual', link });
      requestAnimationFrame(() => field.current?.select());
    }
  };

  return (
    <div className="share-link">
      <button type="button" className="button" data-testid="copy-link" onClick={() => void copyLink()}>
        Copy a link to these settings
      </button>
      {copy.status === 'copied' && (
        <p className="muted small" role="status" data-testid="copy-link-status" data-link={copy.link}>
          Link copied. It opens this model with these settings; your images stay here.
        </p>
      )}
      {copy.status === 'manual' && (
        <label className="field share-link__manual">
          <span className="small">The clipboard is not available: copy the link from here.</span>
          <input
            ref={field}
            data-testid="share-link-field"
            type="text"
            readOnly
            value={copy.link}
            onFocus={(e) => e.currentTarget.select()}
          />
        </label>
      )}
    </div>
  );
}
