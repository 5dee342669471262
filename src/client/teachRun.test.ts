import { describe, expect, it, vi } from 'vitest';

import { TeachSetError, runTeaching } from './teachRun';
import type { TeachRunFile } from './teachRun';
import { JobCancelledError } from '../shared/jobs';
import type { EngineImage, JobId, ModelHandle, TeachResult } from '../shared/protocol';
import type { EpochRecord, FeatureRow, FeaturesResult, TeachRequest } from '../shared/teach/teachJob';
import { deferred, fakeEngine, flush, modelInfo } from '../testing/fakeEngine';

const photo = (path: string): TeachRunFile => ({
  path,
  name: path.split('/').at(-1)!,
  type: 'image/jpeg',
  blob: new Blob([path]),
});

const FOLDER = [
  photo('pets/cat/a.jpg'),
  photo('pets/dog/b.jpg'),
  photo('pets/cat/c.jpg'),
  photo('pets/dog/d.jpg'),
  photo('pets/dog/e.jpg'),
];
const OPTIONS = { name: 'pets', keepImageNet: false, seed: 1 };
const FEATURE_SIZE = 2;

/** Features whose first value is the image's position in the request, so the test can follow each row. */
function featuresOf(images: readonly EngineImage[], failed: ReadonlySet<string> = new Set()): FeaturesResult {
  const rows: number[] = [];
  const answers = images.map((image, i): FeatureRow => {
    if (failed.has(image.id))
      return { ok: false as const, code: 'undecodable' as const, message: 'cannot decode' };
    rows.push(i, 0);
    return { ok: true as const, row: rows.length / FEATURE_SIZE - 1 };
  });
  return { featureSize: FEATURE_SIZE, features: Float32Array.from(rows), images: answers };
}

function taught(request: TeachRequest): TeachResult {
  return {
    model: { ...modelInfo('resnet18'), handle: 'taught-1' },
    report: { classNames: request.classNames } as unknown as TeachResult['report'],
  };
}

const epoch = (n: number): EpochRecord => ({
  epoch: n,
  trainLoss: 1 / n,
  trainAccuracy: 0.5,
  heldOutLoss: 1 / n,
  heldOutAccuracy: 0.5,
});

describe('runTeaching', () => {
  it('asks for the features of every image, class by class, then teaches on the rows that decoded', async () => {
    const fake = fakeEngine();
    const backbone: ModelHandle = fake.adoptModel();
    let featuresJob: JobId | undefined;
    fake.engine.features.mockImplementation(
      async (_h: ModelHandle, images: readonly EngineImage[], job: JobId) => {
        featuresJob = job;
        fake.emit({ type: 'progress', job, progress: { fraction: 0.5, message: 'half' } });
        // b.jpg (dog) cannot be decoded.
        return featuresOf(images, new Set([images[2]!.id]));
      },
    );
    const teach = vi.fn(async (_h: ModelHandle, request: TeachRequest, job: JobId) => {
      fake.emit({ type: 'epoch', job, epoch: epoch(1) });
      fake.emit({ type: 'epoch', job: 'someone-else', epoch: epoch(9) });
      fake.emit({ type: 'epoch', job, epoch: epoch(2) });
      return taught(request);
    });
    fake.engine.teach.mockImplementation(teach);
    const phases: string[] = [];
    const epochs: number[] = [];
    const progress: string[] = [];

    const result = await runTeaching(fake.engine, backbone, FOLDER, OPTIONS, {
      onPhase: (p) => phases.push(p),
      onEpoch: (e) => epochs.push(e.epoch),
      onProgress: (p) => progress.push(p.message),
    });

    const asked = fake.engine.features.mock.calls[0]![1] as EngineImage[];
    // cat: a, c; dog: b, d, e.
    expect(asked.map((image) => image.blob)).toEqual([0, 2, 1, 3, 4].map((i) => FOLDER[i]!.blob));
    expect(featuresJob).toBeDefined();
    const [handle, request] = teach.mock.calls[0]!;
    expect(handle).toBe(backbone);
    expect(request.classNames).toEqual(['cat', 'dog']);
    expect([...request.labels]).toEqual([0, 0, 1, 1]);
    // Rows of a, c, d, e: their positions in the request were 0, 1, 3, 4.
    expect([...request.features]).toEqual([0, 0, 1, 0, 3, 0, 4, 0]);
    expect(request).toMatchObject({
      name: 'pets',
      featureSize: 2,
      options: { keepImageNet: false, seed: 1 },
    });
    expect(phases).toEqual(['features', 'training']);
    expect(epochs).toEqual([1, 2]);
    expect(progress).toEqual(['half']);
    expect(result.model.handle).toBe('taught-1');
    expect(result.itemPaths).toEqual([
      'pets/cat/a.jpg',
      'pets/cat/c.jpg',
      'pets/dog/d.jpg',
      'pets/dog/e.jpg',
    ]);
    expect(result.skipped).toEqual([{ path: 'pets/dog/b.jpg', reason: 'cannot decode' }]);
  });

  it('with augment, asks for the views too and hands them to the teach request with the items they show', async () => {
    const fake = fakeEngine();
    const backbone = fake.adoptModel();
    const augmented = { features: Float32Array.from([7, 7, 8, 8]), of: Int32Array.from([0, 2]) };
    fake.engine.features.mockImplementation(async (_h: ModelHandle, images: readonly EngineImage[]) => ({
      ...featuresOf(images),
      augmented,
    }));
    fake.engine.teach.mockImplementation(async (_h: ModelHandle, request: TeachRequest) => taught(request));
    await runTeaching(fake.engine, backbone, FOLDER, { ...OPTIONS, augment: true });
    expect(fake.engine.features.mock.calls[0]![3]).toEqual({ augment: true });
    const request = fake.engine.teach.mock.calls[0]![1];
    expect(request.augmented).toBe(augmented);
    // Asked for what the worker takes, not the page's own choice.
    expect(request.options).toEqual({ keepImageNet: false, seed: 1 });
  });

  it('refuses a set with one class before asking the engine anything, naming what was left out', async () => {
    const fake = fakeEngine();
    const run = runTeaching(
      fake.engine,
      fake.adoptModel(),
      [photo('pets/cat/a.jpg'), photo('pets/cat/b.jpg'), { ...photo('pets/notes.txt'), type: 'text/plain' }],
      OPTIONS,
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeachSetError);
    expect((error as TeachSetError).problems.join(' ')).toMatch(/cat/);
    expect((error as TeachSetError).skipped).toEqual([{ path: 'pets/notes.txt', reason: 'not an image' }]);
    expect(fake.engine.features).not.toHaveBeenCalled();
  });

  it('refuses once images that failed to decode leave a class with one image, and teaches nothing', async () => {
    const fake = fakeEngine();
    fake.engine.features.mockImplementation(async (_h: ModelHandle, images: readonly EngineImage[]) =>
      featuresOf(images, new Set([images[0]!.id])),
    );
    const error = await runTeaching(fake.engine, fake.adoptModel(), FOLDER, OPTIONS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeachSetError);
    expect((error as TeachSetError).problems.join(' ')).toMatch(/cat/);
    expect((error as TeachSetError).skipped).toEqual([{ path: 'pets/cat/a.jpg', reason: 'cannot decode' }]);
    expect(fake.engine.teach).not.toHaveBeenCalled();
  });

  it('an abort cancels the phase running in the engine, by its job, and the run rejects as cancelled', async () => {
    const fake = fakeEngine();
    const answer = deferred<FeaturesResult>();
    let featuresJob: JobId | undefined;
    fake.engine.features.mockImplementation(
      (_h: ModelHandle, _images: readonly EngineImage[], job: JobId) => {
        featuresJob = job;
        return answer.promise;
      },
    );
    fake.engine.cancel.mockImplementation((job: JobId) => {
      if (job === featuresJob) answer.reject(new JobCancelledError());
      return Promise.resolve();
    });
    const controller = new AbortController();
    const run = runTeaching(fake.engine, fake.adoptModel(), FOLDER, OPTIONS, { signal: controller.signal });
    await flush();
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(JobCancelledError);
    expect(fake.engine.cancel).toHaveBeenCalledWith(featuresJob);
    expect(fake.engine.teach).not.toHaveBeenCalled();
  });
});
