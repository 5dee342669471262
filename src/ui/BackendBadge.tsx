import { useBackend, useMemory } from '../store/hooks';
import { formatBytes } from './format';

export function BackendBadge() {
  const backend = useBackend();
  const memory = useMemory();
  return (
    <div
      className="backend"
      data-testid="backend"
      data-backend={backend?.name ?? ''}
      data-thread={backend?.thread ?? ''}
      data-num-tensors={memory?.numTensors ?? ''}
    >
      <div>
        <span className="field__label">Backend</span>{' '}
        <strong>{backend ? backend.name.toUpperCase() : '…'}</strong>
        {backend && (
          <span className="muted"> in {backend.thread === 'worker' ? 'a Web Worker' : 'the page'}</span>
        )}
      </div>
      {backend?.renderer && (
        <div className="muted small" title={backend.renderer}>
          {backend.softwareRenderer ? 'Software renderer: ' : 'GPU: '}
          {backend.renderer}
        </div>
      )}
      {backend?.note && <div className="small warn">{backend.note}</div>}
      {memory && (
        <div className="muted small">
          {memory.numTensors} tensors, {formatBytes(memory.numBytes)}
        </div>
      )}
    </div>
  );
}
