/**
 * Teach new classes (issue #26): a folder of class folders becomes a model with those classes, trained here on the
 * active model's features. The panel opens from its button; its parts each take one step.
 */
import { useId } from 'react';

import { useAppStore } from '../store';
import { TeachFolderChoice } from './TeachFolderChoice';
import { TeachKept } from './TeachKept';
import { TeachOutcome } from './TeachOutcome';
import { TeachRunControls } from './TeachRunControls';
import { TeachSettings } from './TeachSettings';
import './teach.css';

export function TeachPanel() {
  const open = useAppStore((s) => s.teachOpen);
  const openTeach = useAppStore((s) => s.openTeach);
  const closeTeach = useAppStore((s) => s.closeTeach);
  const untrained = useAppStore((s) => s.weights?.origin === 'random');
  const bodyId = useId();
  return (
    <section className="panel teach-panel" aria-label="Teach new classes">
      <h2>Teach new classes</h2>
      <button
        type="button"
        className="button"
        data-testid="teach-open"
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={() => (open ? closeTeach() : openTeach())}
      >
        {open ? 'Close' : 'Teach the model your own classes…'}
      </button>
      <div className="teach-panel__body" id={bodyId} hidden={!open}>
        {open && (
          <>
            <p className="small muted">
              Choose a folder with one folder of images per class. A new last layer is trained here, on the
              active model&apos;s features; nothing leaves your browser.
            </p>
            {untrained && (
              <p className="small warn" data-testid="teach-untrained">
                The active model has untrained (seeded) weights: their features are poor, so what it learns
                will hardly carry beyond the images you teach it. Load real weights first for a useful model.
              </p>
            )}
            <TeachFolderChoice />
            <TeachSettings />
            <TeachRunControls />
            <TeachOutcome />
            <TeachKept />
          </>
        )}
      </div>
    </section>
  );
}
