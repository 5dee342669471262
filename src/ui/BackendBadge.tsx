/** What the engine runs on, where, and why; with its live tensor count. */
import { useBackend, useMemory } from '../store/hooks';
import { formatBytes } from '../shared/format';

export function BackendBadge() {
  const backend = useBackend();
  const memory = useMemory();
  return (
    <div
      className="backend"
      data-testid="backend"
      data-backend={backend?.name ?? ''}
      data-requested={backend?.requested ?? ''}
      data-threads={backend?.threads ?? ''}
      data-thread={backend?.thread ?? ''}
      data-num-tensors={memory?.numTensors ?? ''}
      data-num-bytes={memory?.numBytes ?? ''}
    >
      <div>
        <span className="field__label">Backend</span>{' '}
        <strong>{backend ? backend.name.toUpperCase() : '…'}</strong>
        {backend?.name === 'wasm' && (
          <span className="muted">
            {' '}
            ({backend.simd ? 'SIMD, ' : ''}
            {backend.threads ?? 1} thread{backend.threads === 1 ? '' : 's'})
          </span>
        )}
        {backend && (
          <span className="muted"> in {backend.thread === 'worker' ? 'a Web Worker' : 'the page'}</span>
        )}
      </div>
      {backend?.reason && (
        <div className="muted small" data-testid="backend-reason" title={backend.reason}>
          Chosen automatically: {backend.reason}
        </div>
      )}
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
