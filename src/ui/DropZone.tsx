/** Where images (and weight files) come in: drop (files, folders, links), pick or paste. */
import { useEffect, useId, useRef, useState } from 'react';
import type { DragEvent } from 'react';

import { useAppStore } from '../store';

/** Files from a paste event: copied images, or files copied in a file manager. */
function filesFromClipboard(data: DataTransfer | null): File[] {
  if (!data) return [];
  const files = Array.from(data.files);
  if (files.length > 0) return files;
  return Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.getAsFile())
    .filter((f): f is File => f !== null);
}

export function DropZone() {
  const addImages = useAppStore((s) => s.addImages);
  const addDrop = useAppStore((s) => s.addDrop);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const files = filesFromClipboard(e.clipboardData);
      if (files.length > 0) {
        e.preventDefault();
        addImages(files);
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [addImages]);

  const open = () => inputRef.current?.click();
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    // Weight files load as weights, folders are walked for their images, a link from another page is fetched;
    // everything else is treated as an image (store/intakeSlice.ts).
    void addDrop(e.dataTransfer);
  };

  // The zone is one button named by its own words; the hint below it describes it and is not part of the name,
  // so what a voice user reads on the button is what it is called (WCAG 2.5.3). A drop on the hint counts too.
  return (
    <div
      className="dropzone-wrap"
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={(e) => {
        // Moving over the zone's own text is not leaving it.
        if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget)))
          setDragging(false);
      }}
      onDrop={onDrop}
    >
      <button
        type="button"
        className={`dropzone${dragging ? ' dropzone--active' : ''}`}
        data-testid="dropzone"
        aria-describedby={`${id}-hint`}
        onClick={open}
      >
        <svg className="dropzone__icon" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M19 15v4H5v-4H3v4a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2v-4h-2zM11 5.83V16h2V5.83l3.59 3.58L18 8l-6-6-6 6 1.41 1.41L11 5.83z" />
        </svg>
        <span className="dropzone__title">
          <strong>Drop images here</strong>, paste from the clipboard, or{' '}
          <span className="dropzone__choose">choose files</span>
        </span>
      </button>
      <p className="dropzone__hint muted small" id={`${id}-hint`}>
        Any number at once: JPEG, PNG, WebP, GIF, AVIF, BMP, SVG. Nothing leaves your browser.
      </p>
      {/* Out of the tab order and named: the zone above is its keyboard and screen-reader face. */}
      <input
        ref={inputRef}
        data-testid="image-input"
        className="visually-hidden"
        type="file"
        accept="image/*"
        multiple
        tabIndex={-1}
        aria-label="Choose images to classify"
        onChange={(e) => {
          addImages(Array.from(e.target.files ?? []));
          e.target.value = ''; // picking the same file again should classify it again
        }}
      />
    </div>
  );
}
