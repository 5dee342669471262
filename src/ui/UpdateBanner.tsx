/** Says a new version of the app is ready, and switches to it only when the user says so. */
import { useAppStore } from '../store';

export function UpdateBanner() {
  const acceptUpdate = useAppStore((s) => s.acceptUpdate);
  if (!acceptUpdate) return null;
  return (
    <div className="update-banner" role="status" data-testid="update-available">
      <span>
        A new version of ResNet Lens is available. Reloading keeps your settings but clears the images.
      </span>
      <button type="button" className="button button--primary" onClick={acceptUpdate}>
        Update now
      </button>
    </div>
  );
}
