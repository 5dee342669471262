/**
 * Runs async jobs strictly one after another. The engine uses it so a model switch never disposes a
 * model while a classification is still using it, whatever order the messages arrive in.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    // Keep the chain alive after a failure; the caller still sees the rejection through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
