/** One ranked class: label, probability bar and percentage. */
import type { Prediction } from '../shared/predictions';
import { formatPercent } from '../shared/format';

interface Props {
  prediction: Prediction;
  rank: number;
  /** Shows what in the image made the network say this class (its class activation map). */
  onSelect?: () => void;
}

export function PredictionRow({ prediction, rank, onSelect }: Props) {
  const { classIndex, label, synonyms, probability } = prediction;
  return (
    <li
      data-testid="prediction"
      data-class-index={classIndex}
      data-label={label}
      data-probability={probability}
      title={`${synonyms} (class ${classIndex})${onSelect ? ': click to see where in the image' : ''}`}
      className={`prediction${onSelect ? ' prediction--selectable' : ''}`}
      role={onSelect ? 'button' : undefined}
      tabIndex={onSelect ? 0 : undefined}
      onClick={onSelect}
      onKeyDown={(e) => {
        if (onSelect && (e.key === 'Enter' || e.key === ' ')) {
          e.preventDefault();
          onSelect();
        }
      }}
    >
      <span className="prediction__rank">{rank}</span>
      <span className="prediction__label">{label}</span>
      <span className="prediction__pct">{formatPercent(probability)}</span>
      <span className="prediction__bar" aria-hidden="true">
        <span style={{ width: `${Math.max(0.5, probability * 100)}%` }} />
      </span>
    </li>
  );
}
