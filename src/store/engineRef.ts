// The engine is a live object (a worker proxy), not state to render, so it lives beside the store
// rather than in it.
import type { EngineApi } from '../shared/protocol';

let current: EngineApi | null = null;

export function setEngine(engine: EngineApi | null): void {
  current = engine;
}

export function getEngine(): EngineApi | null {
  return current;
}
