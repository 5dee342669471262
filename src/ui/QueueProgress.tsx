/** The classification queue's progress bar, count and Cancel. */
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from '../store';

/** Progress through the images queued since the queue was last idle, with a way to stop it. */
export function QueueProgress() {
  const { pending, total } = useAppStore(
    useShallow((s) => ({
      pending: s.images.filter((i) => i.status === 'queued' || i.status === 'classifying').length,
      total: s.queueTotal,
    })),
  );
  const cancelQueue = useAppStore((s) => s.cancelQueue);
  if (pending === 0 || total === 0) return null;
  const done = Math.max(0, total - pending);
  return (
    <div className="queue-progress" data-testid="queue-progress" data-done={done} data-total={total}>
      <progress value={done} max={total} aria-label="Images classified" />
      <span className="small" data-testid="queue-count">
        {done} of {total} classified
      </span>
      <button type="button" className="link-button small" data-testid="queue-cancel" onClick={cancelQueue}>
        Cancel
      </button>
    </div>
  );
}
