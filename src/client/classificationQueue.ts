/**
 * The images waiting for the engine, classified in order a few at a time: each group is one batched pass, and
 * no more than that many images are ever decoded at once, however many were dropped. An image caught in an
 * engine fault is tried once more, first, on the restarted engine.
 */
import { IMAGES_PER_PASS } from '../shared/protocol';
import type { ClassifyResult, EngineApi, ModelHandle } from '../shared/protocol';
import { EngineFaultError, EngineRetiredError } from './engineClient';
import { Pump } from './pump';

/** What the queue reports to, and asks of, its owner (the store). */
export interface QueueHost {
  /** The engine and model to classify with, or null while no model is ready (the queue then waits for `resume`). */
  readyModel(): { engine: EngineApi; handle: ModelHandle } | null;
  /** These images are being classified now. */
  started(ids: readonly string[]): void;
  /**
   * Resolves once the page has drawn what `started` changed (optional): the batch is sent after that, so the
   * page's rendering and the forward pass do not share the cores.
   */
  drawn?(): Promise<void>;
  finished(id: string, result: ClassifyResult): void;
  /** `retrying`: it is queued again for the restarted engine; otherwise this is its final answer. */
  failed(id: string, message: string, retrying: boolean): void;
}

export interface QueuedImage {
  id: string;
  blob: Blob;
}

interface Entry extends QueuedImage {
  /** Engine faults this image has been caught in. */
  faults: number;
}

/** An image caught in an engine fault is tried once more on the restarted engine, then marked failed. */
const MAX_FAULT_RETRIES = 1;

export class ClassificationQueue {
  private pending: Entry[] = [];
  /** The batch with the engine now, by id; `stale` once a restart asked for them again. */
  private inFlight = new Map<string, { entry: Entry; stale: boolean }>();
  /** The loop that feeds the engine a batch at a time. */
  private readonly loop = new Pump(() => this.classifyNextBatch());

  constructor(
    private readonly host: QueueHost,
    private readonly k: number,
    private readonly batchSize = IMAGES_PER_PASS,
  ) {}

  get size(): number {
    return this.pending.length + this.inFlight.size;
  }

  add(images: readonly QueuedImage[]): void {
    this.pending.push(...images.map((image) => ({ ...image, faults: 0 })));
    this.pump();
  }

  /** Classify these again from the start (the model changed); answers in flight for them are thrown away. */
  restart(images: readonly QueuedImage[]): void {
    const again = new Set(images.map((image) => image.id));
    for (const [id, flight] of this.inFlight) if (again.has(id)) flight.stale = true;
    this.pending = images
      .filter((image) => !this.inFlight.has(image.id))
      .map((image) => ({ ...image, faults: 0 }));
    this.pump();
  }

  /** Drops the images still waiting and returns their ids; the batch with the engine finishes. */
  cancelPending(): string[] {
    const ids = this.pending.map((entry) => entry.id);
    this.pending = [];
    return ids;
  }

  /** Forgets an image: it is not classified, and an answer already on its way is not reported. */
  remove(id: string): void {
    this.pending = this.pending.filter((entry) => entry.id !== id);
    this.inFlight.delete(id);
  }

  clear(): void {
    this.pending = [];
    this.inFlight.clear();
  }

  /** Continues with waiting images (a model became ready). */
  resume(): void {
    this.pump();
  }

  /** Resolves once the queue has nothing more it can do now (for tests and callers that must wait). */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private pump(): void {
    this.loop.pump();
  }

  /** One batch through the engine; false when there is nothing more to do now (or the engine is being replaced). */
  private async classifyNextBatch(): Promise<boolean> {
    const model = this.host.readyModel();
    if (!model || this.pending.length === 0) return false;
    const batch = this.pending.splice(0, this.batchSize);
    for (const entry of batch) this.inFlight.set(entry.id, { entry, stale: false });
    this.host.started(batch.map((entry) => entry.id));
    await this.host.drawn?.();
    let results: ClassifyResult[] | null = null;
    let error: unknown = null;
    try {
      results = await model.engine.classify(model.handle, batch, this.k, { thumbnails: true });
    } catch (err) {
      error = err;
    }
    const retry: Entry[] = [];
    batch.forEach((entry, i) => {
      const flight = this.inFlight.get(entry.id);
      if (!flight || flight.entry !== entry) return; // removed, or re-added, while with the engine
      this.inFlight.delete(entry.id);
      if (flight.stale) retry.push({ ...entry, faults: 0 });
      else if (results) this.host.finished(entry.id, results[i]!);
      else if (error instanceof EngineRetiredError) {
        // Replaced on purpose (a backend change): not the image's fault, and not counted against it.
        retry.push(entry);
        this.host.failed(entry.id, error.message, true);
      } else if (error instanceof EngineFaultError && entry.faults < MAX_FAULT_RETRIES) {
        retry.push({ ...entry, faults: entry.faults + 1 });
        this.host.failed(entry.id, error.message, true);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.host.failed(
          entry.id,
          error instanceof EngineFaultError
            ? `The engine failed twice while classifying this image: ${message}`
            : message,
          false,
        );
      }
    });
    // Retried images go first: they were next before the fault.
    this.pending.unshift(...retry);
    // The engine is being replaced: the restart resumes the queue once the new one is ready.
    return !(error instanceof EngineFaultError || error instanceof EngineRetiredError);
  }
}
