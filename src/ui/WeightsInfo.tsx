import { useWeights } from '../store/hooks';

const SOURCE_TEXT = {
  random: 'untrained',
  file: 'from file',
  url: 'downloaded',
  cache: 'from cache',
  bundled: 'ImageNet-trained',
} as const;

export function WeightsInfo() {
  const weights = useWeights();
  return (
    <div
      className="weights-info small"
      data-testid="weights-info"
      data-source={weights?.source ?? ''}
      data-name={weights?.name ?? ''}
    >
      <span className={`source-tag source-tag--${weights?.source ?? 'none'}`}>
        {weights ? SOURCE_TEXT[weights.source] : '…'}
      </span>{' '}
      <span className="weights-info__name">{weights?.name ?? ''}</span>
    </div>
  );
}
