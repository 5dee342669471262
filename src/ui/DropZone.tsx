/** Where images (and weight files) come in: drop, pick or paste. */
import { useEffect, useRef, useState } from 'react';

import { looksLikeWeightsFile } from '../shared/weightsFormat';
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
  const loadWeightsFromFiles = useAppStore((s) => s.loadWeightsFromFiles);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

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

  return (
    <div
      className={`dropzone${dragging ? ' dropzone--active' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        // Weight files dropped here are loaded as weights; everything else is treated as an image.
        const files = Array.from(e.dataTransfer.files);
        const weights = files.filter((f) => looksLikeWeightsFile(f.name));
        if (weights.length > 0) void loadWeightsFromFiles(weights);
        addImages(files.filter((f) => !looksLikeWeightsFile(f.name)));
      }}
    >
      <svg className="dropzone__icon" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M19 15v4H5v-4H3v4a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2v-4h-2zM11 5.83V16h2V5.83l3.59 3.58L18 8l-6-6-6 6 1.41 1.41L11 5.83z" />
      </svg>
      <p>
        <strong>Drop images here</strong>, paste from the clipboard, or{' '}
        <button type="button" className="link-button" onClick={() => inputRef.current?.click()}>
          choose files
        </button>
      </p>
      <p className="muted small">
        Any number at once: JPEG, PNG, WebP, GIF, AVIF, BMP, SVG. Nothing leaves your browser.
      </p>
      <input
        ref={inputRef}
        data-testid="image-input"
        className="visually-hidden"
        type="file"
        accept="image/*"
        multiple
        onChange={(e) => {
          addImages(Array.from(e.target.files ?? []));
          e.target.value = ''; // picking the same file again should classify it again
        }}
      />
    </div>
  );
}
