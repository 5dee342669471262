/** The page's last line: which version runs, and the promise that nothing leaves the browser. */
import { APP_VERSION } from '../shared/appVersion';

export function Footer() {
  return (
    <footer className="app-footer small muted">
      ResNet Lens <span data-testid="app-version">{APP_VERSION}</span> · everything runs in this browser; no
      image or weight you give it is uploaded, and after the first visit it works offline.
    </footer>
  );
}
