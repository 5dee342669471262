import { describe, expect, it, vi } from 'vitest';

import {
  DATASET_EXAMPLES_SHOWN,
  StepTimes,
  pictureEveryFor,
  remainingMs,
  runDatasetExamples,
  runFeatureVis,
} from './featureVisRun';
import { isJobCancelled } from '../shared/jobs';
import type { FeatureVisTarget } from '../shared/protocol';
import {
  explainCancelled,
  fakeEngine,
  fakeFeatureVisPicture,
  fakeFeatureVisResult,
  flush,
} from '../testing/fakeEngine';

const CHANNEL: FeatureVisTarget = { kind: 'channel', stage: 'layer4', channel: 17 };
const CLASS: FeatureVisTarget = { kind: 'class', classIndex: 22 };

describe('runDatasetExamples', () => {
  it('asks for the top 9 of the images as one job with progress, and cancels it when the signal aborts', async () => {
    const fake = fakeEngine();
    const handle = fake.adoptModel();
    const controller = new AbortController();
    const onProgress = vi.fn();
    const images = [{ id: 'a', blob: new Blob(['a']) }];
    const run = runDatasetExamples(fake.engine, handle, images, CHANNEL, {
      onProgress,
      signal: controller.signal,
    });
    await flush();
    const call = fake.datasetExamplesCalls[0]!;
    expect(call.args).toEqual({ handle, images, request: { target: CHANNEL, top: DATASET_EXAMPLES_SHOWN } });
    expect(DATASET_EXAMPLES_SHOWN).toBe(9);
    call.onProgress({ fraction: 1, message: 'Read 1 of 1 images' });
    expect(onProgress).toHaveBeenCalledWith({ fraction: 1, message: 'Read 1 of 1 images' });
    controller.abort();
    expect(fake.engine.cancel).toHaveBeenCalledWith(call.job);
    call.answer.reject(explainCancelled());
    expect(isJobCancelled(await run.catch((e: unknown) => e))).toBe(true);
  });
});

describe('runFeatureVis', () => {
  it('runs one job with pictures every few steps, handing over only its own job’s pictures', async () => {
    const fake = fakeEngine();
    const handle = fake.adoptModel();
    const pictures: number[] = [];
    const run = runFeatureVis(
      fake.engine,
      handle,
      { target: CHANNEL, steps: 48, seed: 3 },
      {
        onPicture: (step) => pictures.push(step),
      },
    );
    await flush();
    const call = fake.featureVisCalls[0]!;
    expect(call.args).toEqual({
      handle,
      request: { target: CHANNEL, steps: 48, seed: 3, pictureEvery: 2 },
    });
    fake.emit({ type: 'featvis-picture', job: call.job, step: 2, picture: fakeFeatureVisPicture(3, 2) });
    fake.emit({
      type: 'featvis-picture',
      job: 'featvis-other',
      step: 4,
      picture: fakeFeatureVisPicture(3, 4),
    });
    call.answer.resolve(fakeFeatureVisResult(call.args.request));
    await expect(run).resolves.toMatchObject({ value: 51 });
    // After the end, nothing more reaches the page.
    fake.emit({ type: 'featvis-picture', job: call.job, step: 6, picture: fakeFeatureVisPicture(3, 6) });
    expect(pictures).toEqual([2]);
  });

  it('cancels its job in the engine when the signal aborts', async () => {
    const fake = fakeEngine();
    const handle = fake.adoptModel();
    const controller = new AbortController();
    const run = runFeatureVis(
      fake.engine,
      handle,
      { target: CLASS, steps: 8, seed: 1 },
      {
        signal: controller.signal,
      },
    );
    await flush();
    const call = fake.featureVisCalls[0]!;
    controller.abort();
    expect(fake.engine.cancel).toHaveBeenCalledWith(call.job);
    call.answer.reject(explainCancelled());
    const err: unknown = await run.catch((e: unknown) => e);
    expect(isJobCancelled(err)).toBe(true);
  });

  it('reports progress through the paced callback', async () => {
    const fake = fakeEngine();
    const handle = fake.adoptModel();
    const onProgress = vi.fn();
    const run = runFeatureVis(fake.engine, handle, { target: CLASS, steps: 4, seed: 1 }, { onProgress });
    await flush();
    const call = fake.featureVisCalls[0]!;
    call.onProgress({ fraction: 0.25, message: 'Step 1 of 4' });
    expect(onProgress).toHaveBeenCalledWith({ fraction: 0.25, message: 'Step 1 of 4' });
    call.answer.resolve(fakeFeatureVisResult(call.args.request));
    await run;
  });
});

describe('pictureEveryFor', () => {
  it('shows a short run every step and a long one every 8 steps at most', () => {
    expect(pictureEveryFor(8)).toBe(1);
    expect(pictureEveryFor(64)).toBe(3);
    expect(pictureEveryFor(4096)).toBe(8);
  });
});

describe('StepTimes', () => {
  it('says nothing before a run of the model has finished', () => {
    expect(new StepTimes().estimate('m', CHANNEL, 100, 10)).toBeNull();
  });

  it('estimates from the same depth and size, else from the slowest figure known for the model', () => {
    const times = new StepTimes()
      .with('m', { kind: 'channel', stage: 'layer1', channel: 0 }, 100, 20)
      .with('m', CHANNEL, 100, 50);
    expect(times.estimate('m', { ...CHANNEL, channel: 3 }, 100, 10)).toEqual({
      ms: 500,
      stepMs: 50,
      basis: 'same settings',
    });
    expect(times.estimate('m', CLASS, 100, 10)).toEqual({ ms: 500, stepMs: 50, basis: 'other settings' });
    expect(times.estimate('other', CLASS, 100, 10)).toBeNull();
  });

  it('keeps a block apart from its stage, another of its channels at the same depth', () => {
    const block = { kind: 'block', block: 'layer2.0', channel: 5 } as const;
    const times = new StepTimes().with('m', block, 100, 30).with('m', CHANNEL, 100, 50);
    expect(times.estimate('m', { ...block, channel: 9 }, 100, 10)).toEqual({
      ms: 300,
      stepMs: 30,
      basis: 'same settings',
    });
    expect(times.estimate('m', { ...block, block: 'layer2.1' }, 100, 10)?.basis).toBe('other settings');
  });

  it('keeps each picture size apart', () => {
    const times = new StepTimes().with('m', CHANNEL, 96, 50).with('m', CHANNEL, 224, 80);
    expect(times.estimate('m', CHANNEL, 96, 10)).toEqual({ ms: 500, stepMs: 50, basis: 'same settings' });
    expect(times.estimate('m', CHANNEL, 160, 10)).toEqual({ ms: 800, stepMs: 80, basis: 'other settings' });
  });

  it('keeps the latest figure and ignores a run that measured nothing', () => {
    const before = new StepTimes();
    const times = before.with('m', CHANNEL, 10, 50).with('m', CHANNEL, 10, 40).with('m', CHANNEL, 10, 0);
    expect(times.estimate('m', CHANNEL, 10, 2)?.ms).toBe(80);
    expect(before.estimate('m', CHANNEL, 10, 2)).toBeNull();
  });
});

describe('remainingMs', () => {
  it('extrapolates the pace so far', () => {
    expect(remainingMs(1000, 0)).toBeNull();
    expect(remainingMs(1000, 0.25)).toBe(3000);
    expect(remainingMs(1000, 1)).toBe(0);
  });
});
