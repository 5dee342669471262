/** The app-level alert: an engine or model failure, dismissable. */
import { useAppStore } from '../store';
import { useAppError } from '../store/hooks';

export function ErrorBanner() {
  const error = useAppError();
  const dismiss = useAppStore((s) => s.dismissAppError);
  if (!error) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error">
      <span>{error}</span>
      <button type="button" onClick={dismiss} aria-label="Dismiss error">
        ×
      </button>
    </div>
  );
}
