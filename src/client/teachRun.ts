/**
 * Teaching new classes from a folder, as the page sequences it: the folder read as a labeled set, the backbone's
 * features of every image (one engine job), then a head trained on them (a second job, with an event per epoch).
 * One AbortSignal cancels whichever phase is running. The images themselves are not kept.
 */
import { runJob } from './engineJobs';
import { teachingFolder } from './teachingFolder';
import type { SkippedFile, TeachingFile } from './teachingFolder';
import type { Progress } from '../shared/progress';
import type { EngineApi, EngineImage, ModelHandle, TeachResult } from '../shared/protocol';
import { labeledSetProblems } from '../shared/teach/labeledSet';
import type { EpochRecord, TeachOptions } from '../shared/teach/teachJob';

export type TeachPhase = 'features' | 'training';

export interface TeachRunFile extends TeachingFile {
  blob: Blob;
}

export interface TeachRunHandlers {
  onPhase?: (phase: TeachPhase) => void;
  onProgress?: (progress: Progress) => void;
  onEpoch?: (epoch: EpochRecord) => void;
  signal?: AbortSignal;
}

export interface TeachRunResult extends TeachResult {
  classNames: string[];
  /** The path of each item the head was taught on, by its index in the request (the report's items). */
  itemPaths: string[];
  /** Files that took no part, each with its reason: not images, outside a class folder, failed to decode. */
  skipped: SkippedFile[];
}

/** The set cannot be taught: every problem as the panel shows it, and the files already left out. */
export class TeachSetError extends Error {
  constructor(
    readonly problems: string[],
    readonly skipped: SkippedFile[],
  ) {
    super(problems.join(' '));
    this.name = 'TeachSetError';
  }
}

function problemsOf(classes: { name: string; imageCount: number }[]): string[] {
  return labeledSetProblems(classes).map((p) => p.message);
}

export async function runTeaching(
  engine: EngineApi,
  backbone: ModelHandle,
  files: readonly TeachRunFile[],
  /** `augment`: read AUGMENT_VIEWS of each image too, learned from beside it (five passes an image, not one). */
  options: TeachOptions & { name: string; augment?: boolean },
  { onPhase, onProgress, onEpoch, signal }: TeachRunHandlers = {},
): Promise<TeachRunResult> {
  const folder = teachingFolder(files);
  const skipped = [...folder.skipped];
  const before = problemsOf(folder.classes.map((c) => ({ name: c.name, imageCount: c.files.length })));
  if (before.length > 0) throw new TeachSetError(before, skipped);

  const classNames = folder.classes.map((c) => c.name);
  const asked = folder.classes.flatMap((c, label) => c.files.map((file) => ({ file, label })));
  const images: EngineImage[] = asked.map(({ file }, i) => ({ id: `teach-${i}`, blob: files[file]!.blob }));

  onPhase?.('features');
  const { name, augment, ...teachOptions } = options;
  const answer = await runJob(
    engine,
    'features',
    (job) => engine.features(backbone, images, job, augment ? { augment } : undefined),
    {
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
    },
  );

  // Rows come only for the images that decoded, in the order asked.
  const labels: number[] = [];
  const itemPaths: string[] = [];
  answer.images.forEach((row, i) => {
    const { file, label } = asked[i]!;
    if (row.ok) {
      labels.push(label);
      itemPaths.push(files[file]!.path);
    } else {
      skipped.push({ path: files[file]!.path, reason: row.message });
    }
  });
  const counts = classNames.map((name, label) => ({
    name,
    imageCount: labels.filter((l) => l === label).length,
  }));
  const after = problemsOf(counts);
  if (after.length > 0) throw new TeachSetError(after, skipped);

  onPhase?.('training');
  const taught = await runJob(
    engine,
    'teach',
    (job) => {
      const unsubscribe = onEpoch
        ? engine.subscribe((event) => {
            if (event.type === 'epoch' && event.job === job) onEpoch(event.epoch);
          })
        : () => undefined;
      return engine
        .teach(
          backbone,
          {
            name,
            classNames,
            features: answer.features,
            featureSize: answer.featureSize,
            labels: Int32Array.from(labels),
            options: teachOptions,
            // Row r of the features is item r: the views' rows name their items already.
            ...(answer.augmented ? { augmented: answer.augmented } : {}),
          },
          job,
        )
        .finally(unsubscribe);
    },
    { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) },
  );
  return { ...taught, classNames, itemPaths, skipped };
}
