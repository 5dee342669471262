/**
 * One feature visualization as the page runs it (issue #27): the engine job with its progress and the picture so
 * far as it grows, cancelled by an AbortSignal; the dataset examples' job; and the expected time of a run, from
 * step times measured before.
 */
import { runJob } from './engineJobs';
import type { OnProgress } from '../shared/progress';
import type {
  DatasetExamplesResult,
  EngineApi,
  EngineImage,
  FeatureVisPicture,
  FeatureVisRequest,
  FeatureVisResult,
  FeatureVisTarget,
  ModelHandle,
} from '../shared/protocol';

export interface FeatureVisHandlers {
  onProgress?: OnProgress;
  /** The picture after `step` steps, every few steps while the run goes on. */
  onPicture?: (step: number, picture: FeatureVisPicture) => void;
  signal?: AbortSignal;
}

/**
 * Steps between live pictures: about 24 pictures a run, so a short run still shows it grow and a long one does not
 * spend its time copying pictures to the page.
 */
export function pictureEveryFor(steps: number): number {
  return Math.min(8, Math.max(1, Math.round(steps / 24)));
}

export async function runFeatureVis(
  engine: EngineApi,
  handle: ModelHandle,
  request: Omit<FeatureVisRequest, 'pictureEvery'>,
  { onProgress, onPicture, signal }: FeatureVisHandlers = {},
): Promise<FeatureVisResult> {
  const full: FeatureVisRequest = { ...request, pictureEvery: pictureEveryFor(request.steps) };
  return runJob(
    engine,
    'featvis',
    (job) => {
      // Pictures are not paced like progress: each is drawn when it comes, and they come every few steps only.
      const unsubscribe = onPicture
        ? engine.subscribe((event) => {
            if (event.type === 'featvis-picture' && event.job === job) onPicture(event.step, event.picture);
          })
        : () => undefined;
      return engine.featureVisualization(handle, full, job).finally(unsubscribe);
    },
    { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) },
  );
}

/** The dataset examples shown: the top 9, a 3 x 3 grid. */
export const DATASET_EXAMPLES_SHOWN = 9;

/**
 * Ranks `images` by `target` as one engine job (progress after each of its batches, cancelled by `signal`); the
 * top DATASET_EXAMPLES_SHOWN come with their crops.
 */
export function runDatasetExamples(
  engine: EngineApi,
  handle: ModelHandle,
  images: readonly EngineImage[],
  target: FeatureVisTarget,
  { onProgress, signal }: Omit<FeatureVisHandlers, 'onPicture'> = {},
): Promise<DatasetExamplesResult> {
  return runJob(
    engine,
    'examples',
    (job) => engine.datasetExamples(handle, images, { target, top: DATASET_EXAMPLES_SHOWN }, job),
    { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) },
  );
}

/** What an estimate is made from: a step with the same depth and size on this model, or other settings on it. */
export interface FeatureVisEstimate {
  ms: number;
  stepMs: number;
  basis: 'same settings' | 'other settings';
}

/**
 * The median step time of finished runs, per model, where the target sits (a channel of a stage or block costs the
 * network up to it; a class, all of it) and picture size, so the panel can say what a run will take before it
 * starts. Size is kept apart rather than scaled by pixels, which a step's time does not follow (ResNet18 layer4
 * on this machine's WASM: 1.1 s a step at 96 px, 0.95 s at 128, 2.5 s at 224; docs/feature-visualization.md).
 * A cancelled run measured nothing; the figure is the latest, since the backend's speed changes as it warms up.
 * Immutable (`with` makes a new one), so the store can hold it as state.
 */
export class StepTimes {
  constructor(private readonly times: ReadonlyMap<string, number> = new Map()) {}

  private static key(handle: ModelHandle, target: FeatureVisTarget, size: number): string {
    const unit = target.kind === 'class' ? 'class' : target.kind === 'block' ? target.block : target.stage;
    return `${handle}|${unit}|${size}`;
  }

  /** A run of `target` on `size` x `size` pixels took `stepMs` a step. */
  with(handle: ModelHandle, target: FeatureVisTarget, size: number, stepMs: number): StepTimes {
    if (!(stepMs > 0)) return this;
    return new StepTimes(new Map(this.times).set(StepTimes.key(handle, target, size), stepMs));
  }

  /** The expected time of `steps` steps on `size` x `size` pixels, or null before a run of this model finished. */
  estimate(
    handle: ModelHandle,
    target: FeatureVisTarget,
    size: number,
    steps: number,
  ): FeatureVisEstimate | null {
    const same = this.times.get(StepTimes.key(handle, target, size));
    // Other settings on the same model: the slowest figure known, so the estimate errs long rather than short.
    const ofModel = [...this.times].filter(([key]) => key.startsWith(`${handle}|`)).map(([, ms]) => ms);
    if (ofModel.length === 0) return null;
    const stepMs = same ?? Math.max(...ofModel);
    return { ms: stepMs * steps, stepMs, basis: same === undefined ? 'other settings' : 'same settings' };
  }
}

/** The time left in a run at its pace so far (`fraction` of it took `elapsedMs`); null before any step ended. */
export function remainingMs(elapsedMs: number, fraction: number): number | null {
  if (fraction >= 1) return 0;
  return fraction > 0 ? (elapsedMs / fraction) * (1 - fraction) : null;
}
