/**
 * `window.engineTestHooks`, for end-to-end tests: hold every engine (the current one and any started later) at
 * chosen points, see how many times one was held there, and release them. Only a build made with `--mode e2e`
 * imports this module (engineClient.ts); a production build does not contain it.
 */
import type { EngineApi, TestHoldPoint } from '../shared/protocol';

export interface EngineTestHooks {
  /** From now on, every engine pauses at `points` (default: before each forward pass) until `release`. */
  hold(points?: TestHoldPoint[]): Promise<void>;
  release(): Promise<void>;
  /** How many times an engine has paused at `point` so far; a held engine stays paused, so this only grows. */
  heldCount(point?: TestHoldPoint): number;
}

declare global {
  interface Window {
    engineTestHooks?: EngineTestHooks;
  }
}

const engines = new Set<EngineApi>();
let points: TestHoldPoint[] = [];
const held: Record<TestHoldPoint, number> = { forward: 0, load: 0, explain: 0, teach: 0 };
const onHeld = (point: TestHoldPoint) => void held[point]++;

async function apply(engine: EngineApi): Promise<void> {
  try {
    await engine.setTestHold(points, onHeld);
  } catch {
    // A dead or retired engine refuses (its proxy may even throw at once); its replacement registers itself.
    engines.delete(engine);
  }
}

window.engineTestHooks = {
  hold: async (at = ['forward']) => {
    points = at;
    await Promise.all([...engines].map(apply));
  },
  release: async () => {
    points = [];
    await Promise.all([...engines].map(apply));
  },
  heldCount: (point = 'forward') => held[point],
};

/** Called for each engine before the page uses it, so a hold covers engines started later. */
export async function registerEngine(engine: EngineApi): Promise<void> {
  engines.add(engine);
  await apply(engine);
}
