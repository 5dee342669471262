/**
 * Compare mode's sequencing, without React: every chosen model other than the active one classifies the images
 * waiting for it, model-major (one load per model, not per image) and a batch at a time. The model loaded for it
 * stays loaded, one beside the active model at most, for the next batch, a class activation map or identifying
 * cached weights, which take turns with the run's steps. The store says what waits and keeps the answers.
 */
import { EngineFaultError, EngineRetiredError } from './engineClient';
import { runJob } from './engineJobs';
import { Pump } from './pump';
import { MAX_TOP_K } from '../shared/predictions';
import type { Progress } from '../shared/progress';
import type {
  CamAnswer,
  ClassifyResult,
  EngineApi,
  EngineImage,
  ModelHandle,
  ModelInfo,
  ModelSource,
} from '../shared/protocol';
import { IMAGES_PER_PASS } from '../shared/protocol';
import { SerialQueue } from '../shared/serialQueue';

/** A model the comparison can load: its id (compare mode's and links' name for it), label and weights. */
export interface RunnableModel {
  id: string;
  label: string;
  /** Made anew for each load: weight buffers are handed to the engine. */
  source(): Promise<ModelSource>;
}

/** What the runner asks of, and reports to, its owner (the store). */
export interface CompareRunnerHost {
  /** The engine while a comparison may run (compare mode on, a model ready, enough models chosen); else null. */
  engine(): EngineApi | null;
  /**
   * The chosen models other than the active one that have images waiting, in the order chosen (`model` null: not
   * available in this browser).
   */
  modelsWithWork(): { id: string; model: RunnableModel | null }[];
  /** The images waiting for a model: not answered, failed, cancelled or with the engine now. */
  waiting(modelId: string): EngineImage[];
  /** Whether answers are still wanted (compare mode still on). */
  wanted(): boolean;
  /** A model is being loaded for the comparison (progress), or no longer is (null). */
  loading(modelId: string, progress: Progress | null): void;
  /** These images are with the engine now, for this model. */
  started(modelId: string, imageIds: readonly string[]): void;
  answered(modelId: string, imageIds: readonly string[], results: readonly ClassifyResult[]): void;
  /** These images (null: every image waiting for the model) failed for it with `message`. */
  failed(modelId: string, imageIds: readonly string[] | null, message: string): void;
  /** The run has nothing more it can do now: nothing is with the engine. */
  idle(): void;
}

/** Compared models' loads run as jobs of this kind (their progress reaches `loading`). */
export const COMPARED_LOAD_JOB = 'compare-load';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The engine went away mid-call (fault or replacement): the work is redone on the next one, not failed. */
const engineGone = (err: unknown) => err instanceof EngineFaultError || err instanceof EngineRetiredError;

export class CompareRunner {
  /** Everything that uses the compared model (run steps, CAMs, identifying weights), one at a time. */
  private readonly lane = new SerialQueue();
  /** The compared model kept loaded, and on which engine (a new engine holds none). */
  private slot: { engine: EngineApi; modelId: string; handle: ModelHandle } | null = null;
  private readonly loop: Pump;

  constructor(
    private readonly host: CompareRunnerHost,
    // The queue's batch: the active model's times (from the queue) and the others' (from these passes) are then
    // per-image shares of equal batches, and their mean times compare like with like.
    private readonly batchSize = IMAGES_PER_PASS,
  ) {
    this.loop = new Pump(
      // Each step is its own turn in the lane, so a CAM or an identification asked for meanwhile goes between.
      () => this.lane.run(() => this.step()),
      () => this.host.engine() !== null && this.host.modelsWithWork().length > 0,
      () => this.host.idle(),
    );
  }

  /** Runs what waits, if it is not running already. */
  pump(): void {
    this.loop.pump();
  }

  /** Resolves once the run has nothing more it can do now. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  /** The id of the compared model loaded now on `engine`, or null. */
  loadedModelId(engine: EngineApi | null): string | null {
    return this.slot && this.slot.engine === engine ? this.slot.modelId : null;
  }

  /** Frees the compared model once answers are no longer wanted (after the step with the engine now). */
  release(): Promise<void> {
    return this.lane.run(async () => {
      if (!this.host.wanted()) await this.emptySlot();
    });
  }

  /** One compared model's class activation map of an image (of its top-1, or of `classIndex`), in its turn. */
  cam(engine: EngineApi, model: RunnableModel, image: EngineImage, classIndex?: number): Promise<CamAnswer> {
    return this.lane.run(async () => {
      const loaded = await this.load(engine, model);
      if (!loaded.ok) throw new Error(loaded.message);
      return engine.cam(loaded.handle, image, classIndex);
    });
  }

  /**
   * Loads weights to learn what they are (the variant of cached weights nobody recorded), in its turn; they stay
   * loaded as the compared model under the id `idOf` gives them, so comparing them needs no second load.
   */
  identify(
    engine: EngineApi,
    source: () => Promise<ModelSource>,
    idOf: (info: ModelInfo) => string,
  ): Promise<ModelInfo> {
    return this.lane.run(async () => {
      await this.emptySlot();
      const made = await source();
      const info = await runJob(engine, 'compare-identify', (job) => engine.load(made, job));
      this.slot = { engine, modelId: idOf(info), handle: info.handle };
      return info;
    });
  }

  /**
   * One step of a run: the next batch of the next model. The model loaded goes on while it has images waiting,
   * so a run loads each model once and images added meanwhile join the current model's batches. False when there
   * is nothing (more) to do now.
   */
  private async step(): Promise<boolean> {
    const engine = this.host.engine();
    if (!engine) return false;
    const others = this.host.modelsWithWork();
    const loadedId = this.loadedModelId(engine);
    const next = others.find(({ id }) => id === loadedId) ?? others[0];
    if (!next) return false;
    if (!next.model) {
      this.host.failed(
        next.id,
        null,
        `${next.id} is not available in this browser: load its weights, then choose it again.`,
      );
      return true;
    }
    const loaded = await this.load(engine, next.model);
    if (!loaded.ok) {
      if (loaded.gone) return false; // the new engine's ready state starts the run again
      this.host.failed(next.id, null, loaded.message);
      return true;
    }
    const batch = this.host.waiting(next.id).slice(0, this.batchSize);
    if (batch.length === 0 || !this.host.wanted()) return true;
    const ids = batch.map((image) => image.id);
    this.host.started(next.id, ids);
    try {
      const results = await engine.classify(loaded.handle, batch, MAX_TOP_K);
      if (!this.host.wanted()) return false;
      this.host.answered(next.id, ids, results);
      return true;
    } catch (err) {
      if (engineGone(err)) {
        this.slot = null;
        return false;
      }
      this.host.failed(next.id, ids, `Classification failed: ${errorText(err)}`);
      return true;
    }
  }

  /** Frees the compared model kept loaded, if any (a dead engine holds nothing any more). */
  private async emptySlot(): Promise<void> {
    const old = this.slot;
    this.slot = null;
    if (old) await old.engine.release(old.handle).catch(() => undefined);
  }

  /**
   * Loads `model` unless it is the one loaded. On failure the reason comes back (`gone`: the engine itself went
   * away, so nothing is the model's fault).
   */
  private async load(
    engine: EngineApi,
    model: RunnableModel,
  ): Promise<{ ok: true; handle: ModelHandle } | { ok: false; gone: boolean; message: string }> {
    if (this.slot?.engine === engine && this.slot.modelId === model.id)
      return { ok: true, handle: this.slot.handle };
    this.host.loading(model.id, { fraction: 0, message: 'Starting' });
    try {
      // The old one goes first: two compared models at once would make three in memory.
      await this.emptySlot();
      const source = await model.source();
      const info = await runJob(engine, COMPARED_LOAD_JOB, (job) => engine.load(source, job), {
        onProgress: (progress) => this.host.loading(model.id, progress),
      });
      this.slot = { engine, modelId: model.id, handle: info.handle };
      return { ok: true, handle: info.handle };
    } catch (err) {
      return {
        ok: false,
        gone: engineGone(err),
        message: `Could not load ${model.label}: ${errorText(err)}`,
      };
    } finally {
      this.host.loading(model.id, null);
    }
  }
}
