/** The light/dark switch in the header: it overrides the system's preference, and is remembered. */
import { useAppStore } from '../store';

/**
 * A switch with one name and a pressed state ("Dark mode", on or off), as screen readers expect of a toggle;
 * `data-theme` is the theme in effect, for tests. The knob's side shows the state as well as its colour.
 */
export function ThemeToggle() {
  const theme = useAppStore((s) => s.theme);
  const toggleTheme = useAppStore((s) => s.toggleTheme);
  const dark = theme === 'dark';
  return (
    <button
      type="button"
      className="theme-toggle"
      data-testid="theme-toggle"
      data-theme={theme}
      aria-pressed={dark}
      title={dark ? 'Switch to the light theme' : 'Switch to the dark theme'}
      onClick={toggleTheme}
    >
      <span className="theme-toggle__track" aria-hidden="true">
        <span className="theme-toggle__knob">{dark ? '☾' : '☀'}</span>
      </span>
      Dark mode
    </button>
  );
}
