import { useWeights } from '../store/hooks';

export function WeightsInfo() {
  const weights = useWeights();
  return (
    <div
      className="weights-info small"
      data-testid="weights-info"
      data-source={weights?.source ?? ''}
      data-name={weights?.name ?? ''}
    >
      <span className="field__label">Weights</span> {weights ? weights.name : '…'}
    </div>
  );
}
