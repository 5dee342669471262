/** The result cards, in the order the images came in. */
import { useAppStore } from '../store';
import { useImages } from '../store/hooks';
import { QueueProgress } from './QueueProgress';
import { ResultCard } from './ResultCard';
import { ResultsExport } from './ResultsExport';

export function ResultGrid() {
  const images = useImages();
  const clearImages = useAppStore((s) => s.clearImages);
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
      <div className="results__grid">
        {images.map((img) => (
          <ResultCard key={img.id} image={img} />
        ))}
      </div>
    </section>
  );
}
