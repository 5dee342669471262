/** Where the folder to teach comes in: picked with the folder input or dropped; then its classes as counted. */
import { useId, useState } from 'react';
import type { DragEvent } from 'react';

import { useAppStore } from '../store';

export function TeachFolderChoice() {
  const pick = useAppStore((s) => s.pickTeachFolder);
  const drop = useAppStore((s) => s.dropTeachFolder);
  const choice = useAppStore((s) => s.teachChoice);
  const busy = useAppStore((s) => s.teachPhase !== null);
  const [dragging, setDragging] = useState(false);
  const inputId = useId();
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!busy) void drop(e.dataTransfer);
  };
  return (
    <div
      className={`teach-drop${dragging ? ' teach-drop--active' : ''}`}
      data-testid="teach-drop"
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <label htmlFor={inputId} className="field__label">
        Folder of class folders (drop it here, or choose it)
      </label>
      <input
        id={inputId}
        type="file"
        data-testid="teach-folder-input"
        // webkitdirectory is not in React's types: spread so TypeScript takes it as a plain attribute.
        {...{ webkitdirectory: '' }}
        multiple
        disabled={busy}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          if (files.length > 0) pick(files);
          e.target.value = '';
        }}
      />
      {choice && choice.classes.length > 0 && (
        <ul className="teach-classes small" data-testid="teach-classes" aria-label="Classes found">
          {choice.classes.map((c) => (
            <li key={c.name}>
              <strong>{c.name}</strong>: {c.imageCount} image{c.imageCount === 1 ? '' : 's'}
            </li>
          ))}
        </ul>
      )}
      {choice && choice.skipped.length > 0 && choice.problems.length === 0 && (
        <p className="small muted">
          Left out: {choice.skipped.map((f) => `${f.path} (${f.reason})`).join(', ')}
        </p>
      )}
    </div>
  );
}
