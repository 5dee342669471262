/**
 * Which engine the page gets: a worker on the backend asked for, else a worker on WASM, else on plain JS, and
 * the page is told why. Inference never runs on the page's own thread.
 */
import type { BackendChoice } from '../shared/protocol';
import { markStart } from '../shared/startMarks';
import { startWorkerEngine } from './engineClient';
import type { StartedEngine } from './engineClient';
import { moveFormerLocalStorage } from './formerLocalStorage';

export type StartWorker = (requested: BackendChoice) => Promise<StartedEngine | { failure: string }>;

/** What the app needs of the browser: a module Worker that can draw (OffscreenCanvas) and decode images. */
export function browserCanRunEngine(): boolean {
  return typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined';
}

const FALLBACKS = ['wasm', 'cpu'] as const;

export async function startEngine(
  requested: BackendChoice,
  {
    startWorker = startWorkerEngine,
    canRun = browserCanRunEngine,
  }: { startWorker?: StartWorker; canRun?: () => boolean } = {},
): Promise<StartedEngine> {
  markStart('engine-requested');
  if (!canRun()) {
    throw new Error(
      'This browser cannot run the inference engine: it needs module Web Workers with OffscreenCanvas ' +
        '(Chrome/Edge 80+, Firefox 114+, Safari 16.4+).',
    );
  }
  // The worker is started with the renderer the last visit remembered, perhaps under an earlier version's key.
  moveFormerLocalStorage();
  const failures: string[] = [];
  for (const backend of [requested, ...FALLBACKS.filter((b) => b !== requested)]) {
    const started = await startWorker(backend);
    if ('engine' in started) {
      if (failures.length === 0) return started;
      return {
        ...started,
        backend: {
          ...started.backend,
          requested,
          note: `${requested} is unavailable (${failures.join('; ')})`,
        },
      };
    }
    failures.push(`${backend}: ${started.failure}`);
  }
  throw new Error(`No TensorFlow.js backend could start: ${failures.join('; ')}`);
}
