/** The taught model's name and options: keep ImageNet's classes beside the new ones; augmentation, with its cost. */
import { useId } from 'react';

import { useAppStore } from '../store';

export function TeachSettings() {
  const name = useAppStore((s) => s.teachName);
  const keep = useAppStore((s) => s.teachKeepImageNet);
  const setName = useAppStore((s) => s.setTeachName);
  const setKeep = useAppStore((s) => s.setTeachKeepImageNet);
  const augment = useAppStore((s) => s.teachAugment);
  const setAugment = useAppStore((s) => s.setTeachAugment);
  const busy = useAppStore((s) => s.teachPhase !== null);
  const nameId = useId();
  const augmentNote = useId();
  return (
    <div className="teach-settings">
      <label className="field" htmlFor={nameId}>
        <span className="field__label">Name of the taught model</span>
        <input
          id={nameId}
          type="text"
          data-testid="teach-name"
          value={name}
          disabled={busy}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <label className="teach-check">
        <input
          type="checkbox"
          data-testid="teach-keep-imagenet"
          checked={keep}
          disabled={busy}
          onChange={(e) => setKeep(e.target.checked)}
        />
        <span>Keep ImageNet&apos;s 1,000 classes beside the new ones</span>
      </label>
      <label className="teach-check">
        <input
          type="checkbox"
          data-testid="teach-augment"
          checked={augment}
          disabled={busy}
          aria-describedby={augmentNote}
          onChange={(e) => setAugment(e.target.checked)}
        />
        <span>
          Augment (mirror and crops){' '}
          <span className="muted small" id={augmentNote}>
            for small sets: learns from four more views of each image, so reading the features takes five
            times as long; training takes a little longer
          </span>
        </span>
      </label>
    </div>
  );
}
