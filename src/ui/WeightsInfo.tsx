/** Which weights the active model runs on, and where they came from (`data-source` is the contract for tests). */
import type { WeightsOrigin } from '../shared/protocol';
import { useWeights } from '../store/hooks';

const ORIGIN_TEXT: Record<WeightsOrigin, string> = {
  random: 'untrained',
  file: 'from file',
  url: 'downloaded',
  cache: 'from cache',
  bundled: 'ImageNet-trained',
};

export function WeightsInfo() {
  const weights = useWeights();
  return (
    <div
      className="weights-info small"
      data-testid="weights-info"
      data-source={weights?.origin ?? ''}
      data-name={weights?.name ?? ''}
    >
      <span className={`source-tag source-tag--${weights?.origin ?? 'none'}`}>
        {weights ? ORIGIN_TEXT[weights.origin] : '…'}
      </span>{' '}
      <span className="weights-info__name">{weights?.name ?? ''}</span>
    </div>
  );
}
