import { BACKEND_CHOICES, isBackendChoice } from '../shared/protocol';
import type { BackendChoice } from '../shared/protocol';
import { useAppStore } from '../store';
import { useModelState } from '../store/hooks';
import { withBackendInUrl } from '../store/urlParams';

const LABELS: Record<BackendChoice, string> = {
  auto: 'Automatic',
  webgl: 'WebGL (GPU)',
  webgpu: 'WebGPU (GPU)',
  wasm: 'WASM (CPU, SIMD)',
  cpu: 'Plain JS (CPU, slowest)',
};

/** The backend setting: `auto` lets the app pick; anything else overrides it (also as `?backend=`). */
export function BackendSelect() {
  const choice = useAppStore((s) => s.backendChoice);
  const restartEngine = useAppStore((s) => s.restartEngine);
  const { status } = useModelState();
  return (
    <label className="field">
      <span className="field__label">Backend</span>
      <select
        data-testid="backend-select"
        value={choice}
        disabled={status === 'loading'}
        onChange={(e) => {
          const next = e.target.value;
          if (!isBackendChoice(next) || next === choice) return;
          window.history.replaceState(null, '', withBackendInUrl(window.location.href, next));
          void restartEngine(next, `Switching to ${LABELS[next]}`);
        }}
      >
        {BACKEND_CHOICES.map((id) => (
          <option key={id} value={id}>
            {LABELS[id]}
          </option>
        ))}
      </select>
    </label>
  );
}
