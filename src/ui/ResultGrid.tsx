/** The result cards, in the order the images came in. */
import { useEffect, useRef } from 'react';
import type { RefObject } from 'react';

import { useAppStore } from '../store';
import { useImages } from '../store/hooks';
import { QueueProgress } from './QueueProgress';
import { ResultCard } from './ResultCard';
import { ResultsExport } from './ResultsExport';
import { useNarrowScreen } from './useNarrowScreen';

/**
 * On a narrow screen the cards lie below the ways in, past the first screen: brings the first new card into
 * sight when images arrive, so a photo just picked shows its answer. Not while the camera is on: a snapshot
 * must not scroll its user away from the live picture.
 */
function useShowNewCards(count: number): RefObject<HTMLDivElement | null> {
  const narrow = useNarrowScreen();
  const cameraOff = useAppStore((s) => s.cameraStatus === 'off' || s.cameraStatus === 'error');
  const grid = useRef<HTMLDivElement>(null);
  const seen = useRef(count);
  useEffect(() => {
    const first = seen.current;
    seen.current = count;
    if (!narrow || !cameraOff || count <= first) return;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    grid.current?.children[first]?.scrollIntoView({ block: 'start', behavior: still ? 'auto' : 'smooth' });
  }, [count, narrow, cameraOff]);
  return grid;
}

export function ResultGrid() {
  const images = useImages();
  const clearImages = useAppStore((s) => s.clearImages);
  const grid = useShowNewCards(images.length);
  if (images.length === 0) return null;
  const pending = images.filter((i) => i.status === 'queued' || i.status === 'classifying').length;
  return (
    <section className="results" aria-label="Results">
      <div className="results__bar">
        <span className="muted small">
          {images.length} image{images.length === 1 ? '' : 's'}
          {pending > 0 ? `, ${pending} in progress` : ''}
        </span>
        <ResultsExport />
        <button type="button" className="link-button small" data-testid="clear-all" onClick={clearImages}>
          Clear all
        </button>
      </div>
      <QueueProgress />
      <div className="results__grid" ref={grid}>
        {images.map((img) => (
          <ResultCard key={img.id} image={img} />
        ))}
      </div>
    </section>
  );
}
