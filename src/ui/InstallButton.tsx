/** Installs the app, where the browser offers that; it then opens in its own window and works offline. */
import { useAppStore } from '../store';

export function InstallButton() {
  const installApp = useAppStore((s) => s.installApp);
  if (!installApp) return null;
  return (
    <button
      type="button"
      className="install-button"
      data-testid="install-button"
      onClick={() => void installApp()}
      title="Install ResNet Lens as an app: it opens in its own window and works offline"
    >
      Install app
    </button>
  );
}
