/** One ranked class: label, probability bar and percentage. */
import type { Prediction } from '../shared/predictions';
import { formatPercent, spokenPercent } from '../shared/format';

interface Props {
  prediction: Prediction;
  rank: number;
  /** The row's data-testid: `prediction` on a card, `camera-prediction` in the live camera. */
  testId?: string;
  /** Shows what in the image made the network say this class (its class activation map). */
  onSelect?: () => void;
}

export function PredictionRow({ prediction, rank, testId = 'prediction', onSelect }: Props) {
  const { classIndex, label, synonyms, probability } = prediction;
  // Read as "1. bald eagle, 92.6 percent": the visible row would be "1 bald eagle 92.6%" and a bar. The spaces
  // between the cells (the grid does not draw them) keep the row's text "1 bald eagle 92.6%" rather than
  // "1bald eagle92.6%", so the name holds the words on screen, as voice control needs (WCAG 2.5.3).
  const spoken = `${rank}. ${label}, ${spokenPercent(probability)}`;
  const cells = (
    <>
      <span className="prediction__rank">{rank}</span> <span className="prediction__label">{label}</span>{' '}
      <span className="prediction__pct">{formatPercent(probability)}</span>
      <span className="prediction__bar" aria-hidden="true">
        <span style={{ width: `${Math.max(0.5, probability * 100)}%` }} />
      </span>
    </>
  );
  return (
    <li
      data-testid={testId}
      data-class-index={classIndex}
      data-label={label}
      data-probability={probability}
      title={`${synonyms} (class ${classIndex})${onSelect ? ': click to see where in the image' : ''}`}
      className={`prediction${onSelect ? ' prediction--selectable' : ''}`}
      aria-label={onSelect ? undefined : spoken}
    >
      {/* A button inside the item, not a button role on it: the list stays a list of items for screen readers. */}
      {onSelect ? (
        <button
          type="button"
          className="prediction__row"
          aria-label={spoken}
          aria-description="Shows where in the image"
          onClick={onSelect}
        >
          {cells}
        </button>
      ) : (
        <span className="prediction__row">{cells}</span>
      )}
    </li>
  );
}
