import { describe, expect, it } from 'vitest';

import type { BackendChoice, BackendInfo, EngineApi } from '../shared/protocol';
import type { StartedEngine } from './engineClient';
import { startEngine } from './startEngine';

function started(name: BackendInfo['name'], requested: BackendChoice): StartedEngine {
  return { engine: {} as EngineApi, backend: { name, requested, thread: 'worker' } };
}

/** A worker starter that fails for the backends named, and records what it was asked for. */
function starter(failing: Record<string, string>) {
  const asked: BackendChoice[] = [];
  const startWorker = async (requested: BackendChoice) => {
    asked.push(requested);
    const failure = failing[requested];
    return failure ? { failure } : started(requested === 'auto' ? 'wasm' : requested, requested);
  };
  return { asked, startWorker };
}

describe('startEngine', () => {
  it('runs the backend asked for when it starts, with no note', async () => {
    const { asked, startWorker } = starter({});
    const result = await startEngine('webgl', { startWorker, canRun: () => true });
    expect(asked).toEqual(['webgl']);
    expect(result.backend).toEqual({ name: 'webgl', requested: 'webgl', thread: 'worker' });
  });

  it('falls back to WASM, then plain JS, saying why', async () => {
    const { asked, startWorker } = starter({ webgpu: 'no adapter', wasm: 'blocked by policy' });
    const result = await startEngine('webgpu', { startWorker, canRun: () => true });
    expect(asked).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(result.backend.name).toBe('cpu');
    expect(result.backend.requested).toBe('webgpu');
    expect(result.backend.note).toBe('webgpu is unavailable (webgpu: no adapter; wasm: blocked by policy)');
  });

  it('does not try the same backend twice', async () => {
    const { asked, startWorker } = starter({ wasm: 'no' });
    await startEngine('wasm', { startWorker, canRun: () => true });
    expect(asked).toEqual(['wasm', 'cpu']);
  });

  it('says everything that failed when nothing starts', async () => {
    const { startWorker } = starter({ auto: 'a', wasm: 'b', cpu: 'c' });
    await expect(startEngine('auto', { startWorker, canRun: () => true })).rejects.toThrow(
      'No TensorFlow.js backend could start: auto: a; wasm: b; cpu: c',
    );
  });

  it('refuses a browser without module workers and OffscreenCanvas, naming what it needs', async () => {
    const { asked, startWorker } = starter({});
    await expect(startEngine('auto', { startWorker, canRun: () => false })).rejects.toThrow(
      /OffscreenCanvas/,
    );
    expect(asked).toEqual([]);
  });
});
