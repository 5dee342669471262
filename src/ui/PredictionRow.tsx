import type { Prediction } from '../model/topK';
import { formatPercent } from './format';

interface Props {
  prediction: Prediction;
  rank: number;
}

export function PredictionRow({ prediction, rank }: Props) {
  const { classIndex, label, synonyms, probability } = prediction;
  return (
    <li
      className="prediction"
      data-testid="prediction"
      data-class-index={classIndex}
      data-label={label}
      data-probability={probability}
      title={`${synonyms} (class ${classIndex})`}
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
