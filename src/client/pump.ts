/**
 * One loop that works through whatever is waiting, started on demand and never twice at once: the shape shared by
 * the classification queue and the compare runner. `pump()` after adding work; the loop takes a step while
 * `step` says it did something, and looks once more after it ends, so work added as it ended is not stranded.
 */
export class Pump {
  private running: Promise<void> | null = null;

  constructor(
    /** One step of work; false when there is nothing (more) it can do now. */
    private readonly step: () => Promise<boolean>,
    /** Whether a step would find work, without doing anything: checked once the loop has ended. */
    private readonly hasWork: () => boolean = () => false,
    /** Called each time the loop ends (state to reset, a figure to refresh). */
    private readonly onIdle: () => void = () => undefined,
  ) {}

  pump(): void {
    this.running ??= this.drain();
  }

  /** Resolves once the loop has nothing more it can do now. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get busy(): boolean {
    return this.running !== null;
  }

  private async drain(): Promise<void> {
    // Never finish synchronously: `running` must be set before the `finally` below clears it.
    await Promise.resolve();
    try {
      while (await this.step());
    } finally {
      // Cleared in the same turn as the last look, so work added after it starts a new loop.
      this.running = null;
      this.onIdle();
      if (this.hasWork()) this.pump();
    }
  }
}
