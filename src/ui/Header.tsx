/** The page's title, one line on what it does, the Network view's button and the light/dark switch. */
import { InstallButton } from './InstallButton';
import { NetworkToggle } from './NetworkToggle';
import { ThemeToggle } from './ThemeToggle';

export function Header() {
  return (
    <header className="app-header">
      <div className="app-header__title">
        <h1>ResNet Lens</h1>
        <p>
          ResNet18, ResNet34 and ResNet50 running in your browser: classify your photos into the 1000 ImageNet
          classes and see what each stage of the network makes of them.
        </p>
      </div>
      <div className="app-header__actions">
        <NetworkToggle />
        <InstallButton />
        <ThemeToggle />
      </div>
    </header>
  );
}
