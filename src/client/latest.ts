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
