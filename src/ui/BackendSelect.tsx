/** The backend setting: `auto` lets the app pick; anything else overrides it (also as `?backend=`). */
import { BACKEND_CHOICES } from '../shared/protocol';
import type { BackendChoice } from '../shared/protocol';
import { useAppStore } from '../store';
import { useModelState } from '../store/hooks';
import { SelectField } from './SelectField';

const LABELS: Record<BackendChoice, string> = {
  auto: 'Automatic',
  webgl: 'WebGL (GPU)',
  webgpu: 'WebGPU (GPU)',
  wasm: 'WASM (CPU, SIMD)',
  cpu: 'Plain JS (CPU, slowest)',
};

export function BackendSelect() {
  const choice = useAppStore((s) => s.backendChoice);
  const restartEngine = useAppStore((s) => s.restartEngine);
  const { status } = useModelState();
  return (
    <SelectField
      label="Backend"
      testId="backend-select"
      value={choice}
      disabled={status === 'loading'}
      options={BACKEND_CHOICES.map((id) => ({ value: id, label: LABELS[id] }))}
      onChange={(next) => void restartEngine(next, `Switching to ${LABELS[next]}`)}
    />
  );
}
