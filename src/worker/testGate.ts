/**
 * Gates before the engine's slow steps that end-to-end tests can close, so that a test catches the engine
 * mid-operation (to kill it, lose its context, switch models or cancel) by arrangement instead of by timing.
 * Open unless a page built for e2e (`vite build --mode e2e`) closes them; production pages never do.
 */
import type { TestHoldPoint } from '../shared/protocol';

export class TestGate {
  private closed = new Set<TestHoldPoint>();
  private onHeld: ((point: TestHoldPoint) => void) | null = null;
  private waiting: { point: TestHoldPoint; go: () => void }[] = [];

  /** Closes the gates at `points` and opens all others, letting their waiters go. */
  set(points: readonly TestHoldPoint[], onHeld?: (point: TestHoldPoint) => void): void {
    this.closed = new Set(points);
    this.onHeld = onHeld ?? null;
    const stillWaiting = this.waiting.filter((w) => this.closed.has(w.point));
    this.waiting.filter((w) => !this.closed.has(w.point)).forEach((w) => w.go());
    this.waiting = stillWaiting;
  }

  /** Resolves at once while the gate at `point` is open; otherwise once it opens. */
  pass(point: TestHoldPoint): Promise<void> {
    if (!this.closed.has(point)) return Promise.resolve();
    return new Promise<void>((go) => {
      this.waiting.push({ point, go });
      this.onHeld?.(point);
    });
  }
}
