/**
 * "The newest request wins", in one place: a request takes a ticket when it starts, and its answer is applied
 * only while no later request of its kind (or a `supersede`) has come since. Requests the user can fire faster
 * than the engine answers (a model switch, a redraw, another class) all follow this rule.
 */
export class Latest {
  private generation = 0;

  /** Starts a request: the returned check stays true until a later `begin` or `supersede`. */
  begin(): () => boolean {
    const mine = ++this.generation;
    return () => mine === this.generation;
  }

  /** Makes every request so far stale (their answers are dropped when they come). */
  supersede(): void {
    this.generation++;
  }

  /** A check for the requests so far, without starting a new one: true until the next `begin` or `supersede`. */
  current(): () => boolean {
    const now = this.generation;
    return () => now === this.generation;
  }
}

/**
 * Long jobs of one kind where a new one, or a stop, both makes the earlier answers stale and aborts the earlier
 * job (its signal): a teaching run, a feature visualization.
 */
export class LatestJob {
  private readonly latest = new Latest();
  private controller: AbortController | null = null;

  /** Stops the job before, if any, and starts one: its staleness check and the signal that cancels it. */
  begin(): { isCurrent: () => boolean; signal: AbortSignal } {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    return { isCurrent: this.latest.begin(), signal: controller.signal };
  }

  /** Ends the job under way, if any: its answers are dropped from now on. */
  stop(): void {
    this.latest.supersede();
    this.controller?.abort();
    this.controller = null;
  }
}
