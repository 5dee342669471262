/** Results to take away: every card's top-k as CSV (spreadsheets) or JSON (scripts). */
import { useAppStore } from '../store';
import { downloadResults } from '../store/exportResults';
import './intake.css';

export function ResultsExport() {
  const hasResults = useAppStore((s) => s.images.some((img) => img.status === 'done'));
  if (!hasResults) return null;
  const save = (format: 'csv' | 'json') => downloadResults(useAppStore.getState(), format);
  return (
    <span className="results-export small">
      <span className="muted">Export</span>
      <button type="button" className="link-button" data-testid="export-csv" onClick={() => save('csv')}>
        CSV
      </button>
      <button type="button" className="link-button" data-testid="export-json" onClick={() => save('json')}>
        JSON
      </button>
    </span>
  );
}
