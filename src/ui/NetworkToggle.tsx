/** The header's button that shows and hides the Network view (a toggle, pressed while the view is open). */
import { useAppStore } from '../store';

export function NetworkToggle() {
  const open = useAppStore((s) => s.networkOpen);
  const openNetwork = useAppStore((s) => s.openNetwork);
  const closeNetwork = useAppStore((s) => s.closeNetwork);
  return (
    <button
      type="button"
      className="network-toggle"
      data-testid="arch-open"
      aria-pressed={open}
      title={
        open ? 'Hide the network' : 'Show the network: its blocks, skip connections, parameters and work'
      }
      onClick={open ? closeNetwork : openNetwork}
    >
      Network
    </button>
  );
}
