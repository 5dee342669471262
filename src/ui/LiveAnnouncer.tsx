/**
 * The page's one polite live region: a screen reader hears each finished classification ("chelsea.jpg: tabby,
 * 63.1 percent") without moving focus. Errors speak for themselves (role="alert" on the card and the banner).
 */
import { useEffect, useState } from 'react';

import { useAppStore } from '../store';
import { finishedAnnouncement } from '../store/announcements';

export function LiveAnnouncer() {
  const [message, setMessage] = useState({ text: '', n: 0 });
  // A subscription, not a selector: the words depend on what changed between two states, not on one.
  useEffect(
    () =>
      useAppStore.subscribe((state, prev) => {
        const text = finishedAnnouncement(prev.images, state.images);
        if (text) setMessage((m) => ({ text, n: m.n + 1 }));
      }),
    [],
  );
  return (
    <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
      {/* A new node each time, so the same words twice (the same photo again) are read twice. */}
      <span key={message.n}>{message.text}</span>
    </div>
  );
}
