import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { ModelSummary } from '../shared/modelSummary';
import type { DatasetExample, FeatureVisTarget, InspectResult } from '../shared/protocol';
import {
  explainCancelled,
  fakeEngine,
  fakeFeatureVisPicture,
  fakeFeatureVisResult,
  flush,
} from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { DEFAULT_FEATVIS_STEPS, featVisFileName, featureVisTargetName } from './featureVisSlice';
import { createAppStore } from './index';
import type { AppStore } from './index';
import type { ImageItem, ImageStatus } from './imagesSlice';

vi.mock('./saveToDisk', () => ({ saveToDisk: vi.fn() }));
const { saveToDisk } = await import('./saveToDisk');

const CHANNEL: FeatureVisTarget = { kind: 'channel', stage: 'layer4', channel: 17 };

let store: AppStore;
let fake: FakeEngine;
let handle: string;

beforeEach(() => {
  vi.mocked(saveToDisk).mockClear();
  fake = fakeEngine();
  store = createAppStore({ engine: fake.engine });
  handle = fake.adoptModel();
  store.setState({ modelHandle: handle, modelStatus: 'ready' });
});

/** Starts a run on CHANNEL with `steps`; returns it (wrapped: awaiting it would wait for the answer). */
async function started(steps = 8, seed = 4): Promise<{ run: Promise<void> }> {
  const s = store.getState();
  s.openFeatVis(CHANNEL);
  s.setFeatVisSteps(steps);
  s.setFeatVisSeed(seed);
  const run = store.getState().runFeatVis();
  await flush();
  return { run };
}

describe('featureVisSlice', () => {
  it('opens on the inspected image’s top class when no target was chosen, with the default steps', () => {
    store.setState({
      inspection: {
        predictions: [{ classIndex: 281, label: 'tabby', synonyms: '', probability: 0.9 }],
      } as Omit<InspectResult, 'cam'>,
    });
    store.getState().openFeatVis();
    expect(store.getState()).toMatchObject({
      featVisOpen: true,
      featVisTarget: { kind: 'class', classIndex: 281 },
      featVisSteps: DEFAULT_FEATVIS_STEPS,
    });
    // A target chosen later is kept when the panel opens again.
    store.getState().openFeatVis(CHANNEL);
    store.getState().openFeatVis();
    expect(store.getState().featVisTarget).toEqual(CHANNEL);
  });

  it('runs the chosen target with live pictures and progress, then shows the final picture and value', async () => {
    const { run } = await started(8, 4);
    const call = fake.featureVisCalls[0]!;
    expect(call.args).toEqual({
      handle,
      request: { target: CHANNEL, steps: 8, seed: 4, size: 128, pictureEvery: 1 },
    });
    expect(store.getState().featVisStatus).toBe('running');
    expect(store.getState().featVisPicture).toBeNull();

    call.onProgress({ fraction: 0.25, message: 'Step 2 of 8' });
    fake.emit({ type: 'featvis-picture', job: call.job, step: 2, picture: fakeFeatureVisPicture(4, 2) });
    expect(store.getState()).toMatchObject({
      featVisProgress: { fraction: 0.25, message: 'Step 2 of 8' },
      featVisPicture: fakeFeatureVisPicture(4, 2),
      featVisPictureStep: 2,
    });

    call.answer.resolve(fakeFeatureVisResult(call.args.request));
    await run;
    const s = store.getState();
    expect(s).toMatchObject({
      featVisStatus: 'done',
      featVisProgress: null,
      featVisPicture: fakeFeatureVisPicture(4, 8),
      featVisPictureStep: 8,
      featVisOutcome: { handle, target: CHANNEL, steps: 8, seed: 4, size: 128, value: 12, stepMs: 10 },
    });
    // The next run's estimate comes from this one's step time.
    expect(s.featVisStepTimes.estimate(handle, CHANNEL, 128, 100)).toEqual({
      ms: 1000,
      stepMs: 10,
      basis: 'same settings',
    });
  });

  it('cancels: the engine is asked to stop, the picture so far stays, a late picture is ignored', async () => {
    const { run } = await started();
    const call = fake.featureVisCalls[0]!;
    fake.emit({ type: 'featvis-picture', job: call.job, step: 1, picture: fakeFeatureVisPicture(4, 1) });
    store.getState().cancelFeatVis();
    expect(fake.engine.cancel).toHaveBeenCalledWith(call.job);
    expect(store.getState()).toMatchObject({
      featVisStatus: 'cancelled',
      featVisPicture: fakeFeatureVisPicture(4, 1),
    });
    call.answer.reject(explainCancelled());
    await run;
    expect(store.getState().featVisStatus).toBe('cancelled');
    expect(store.getState().featVisStepTimes.estimate(handle, CHANNEL, 128, 8)).toBeNull();
  });

  it('a second run supersedes the first: only the second one’s answer is shown', async () => {
    const { run: first } = await started(8, 1);
    const second = store.getState().runFeatVis();
    await flush();
    const [a, b] = fake.featureVisCalls;
    expect(fake.engine.cancel).toHaveBeenCalledWith(a!.job);
    b!.answer.resolve(fakeFeatureVisResult(b!.args.request));
    a!.answer.resolve(fakeFeatureVisResult({ ...a!.args.request, seed: 99 }));
    await Promise.all([first, second]);
    expect(store.getState().featVisOutcome?.value).toBe(9);
  });

  it('shows an engine failure as an error', async () => {
    const { run } = await started();
    fake.featureVisCalls[0]!.answer.reject(new Error('layer4 has 512 channels, not channel 900.'));
    await run;
    expect(store.getState()).toMatchObject({
      featVisStatus: 'error',
      featVisError: 'layer4 has 512 channels, not channel 900.',
    });
  });

  it('does nothing without a ready model or a target', async () => {
    store.setState({ modelStatus: 'loading' });
    store.getState().openFeatVis(CHANNEL);
    await store.getState().runFeatVis();
    store.setState({ modelStatus: 'ready', featVisTarget: null });
    await store.getState().runFeatVis();
    expect(fake.engine.featureVisualization).not.toHaveBeenCalled();
  });

  it('a new model drops the run and its picture but keeps the settings', async () => {
    const { run } = await started(8, 4);
    store.getState().resetFeatVis();
    const call = fake.featureVisCalls[0]!;
    expect(fake.engine.cancel).toHaveBeenCalledWith(call.job);
    call.answer.resolve(fakeFeatureVisResult(call.args.request));
    await run;
    expect(store.getState()).toMatchObject({
      featVisStatus: 'idle',
      featVisPicture: null,
      featVisOutcome: null,
      featVisTarget: CHANNEL,
      featVisSteps: 8,
      featVisSeed: 4,
    });
  });

  it('closing the panel ends the run', async () => {
    const { run } = await started();
    store.getState().closeFeatVis();
    expect(store.getState()).toMatchObject({ featVisOpen: false, featVisStatus: 'cancelled' });
    fake.featureVisCalls[0]!.answer.reject(explainCancelled());
    await run;
  });

  it('exports the objective, the settings and the final value as JSON', async () => {
    store.setState({ summary: { variant: 'resnet18' } as ModelSummary });
    const { run } = await started(8, 4);
    const call = fake.featureVisCalls[0]!;
    call.answer.resolve(fakeFeatureVisResult(call.args.request));
    await run;
    expect(featVisFileName(store.getState())).toBe('resnet18-featvis-layer4-17-128px-8steps-seed4');
    store.getState().exportFeatVisJson();
    const [name, text] = vi.mocked(saveToDisk).mock.calls[0]!;
    expect(name).toBe('resnet18-featvis-layer4-17-128px-8steps-seed4.json');
    expect(JSON.parse(String(text))).toMatchObject({
      model: 'resnet18',
      objective: { kind: 'channel mean', stage: 'layer4', channel: 17 },
      target: 'layer4:17',
      settings: { steps: 8, seed: 4, size: 128 },
      finalValue: 12,
    });
  });
});

/** An image on the page, as far as dataset examples look at it. */
function pageImage(id: string, status: ImageStatus): ImageItem {
  return { id, fileName: `${id}.jpg`, file: new Blob([id]), status } as ImageItem;
}

const example = (imageId: string, value: number, withCrop: boolean): DatasetExample => ({
  imageId,
  value,
  cell: { row: 1, col: 2, rows: 7, cols: 7 },
  ...(withCrop ? { crop: fakeFeatureVisPicture(value, 0) } : {}),
});

describe('featureVisSlice: dataset examples', () => {
  beforeEach(() => {
    store.setState({
      images: [
        pageImage('a', 'done'),
        pageImage('b', 'error'),
        pageImage('c', 'done'),
        pageImage('d', 'queued'),
      ],
    });
    store.getState().openFeatVis(CHANNEL);
  });

  async function finding() {
    const find = store.getState().findDatasetExamples();
    await flush();
    return { find, call: fake.datasetExamplesCalls.at(-1)! };
  }

  it('ranks the images the model read by the target, with progress, and shows the top ones by file name', async () => {
    const { find, call } = await finding();
    expect(call.args.handle).toBe(handle);
    expect(call.args.images.map((i) => i.id)).toEqual(['a', 'c']);
    expect(call.args.request).toEqual({ target: CHANNEL, top: 9 });
    expect(store.getState().featVisExamplesStatus).toBe('running');
    call.onProgress({ fraction: 0.5, message: 'Read 1 of 2 images' });
    expect(store.getState().featVisExamplesProgress).toEqual({
      fraction: 0.5,
      message: 'Read 1 of 2 images',
    });
    call.answer.resolve({
      ranked: [example('c', 3, true), example('a', 1, false)],
      skipped: [],
      totalMs: 40,
    });
    await find;
    expect(store.getState()).toMatchObject({
      featVisExamplesStatus: 'done',
      featVisExamplesProgress: null,
      featVisExamples: {
        handle,
        target: CHANNEL,
        shown: [{ imageId: 'c', fileName: 'c.jpg', value: 3, cell: { row: 1, col: 2 } }],
        ranked: 2,
        skipped: 0,
        totalMs: 40,
      },
    });
  });

  it('another target drops the examples and stops a ranking under way; its late answer is ignored', async () => {
    const first = await finding();
    first.call.answer.resolve({ ranked: [example('a', 1, true)], skipped: [], totalMs: 1 });
    await first.find;
    // The same target again keeps them.
    store.getState().setFeatVisTarget({ ...CHANNEL });
    expect(store.getState().featVisExamples).not.toBeNull();
    const second = await finding();
    store.getState().setFeatVisTarget({ kind: 'class', classIndex: 3 });
    expect(fake.engine.cancel).toHaveBeenCalledWith(second.call.job);
    expect(store.getState()).toMatchObject({ featVisExamplesStatus: 'idle', featVisExamples: null });
    second.call.answer.resolve({ ranked: [example('a', 1, true)], skipped: [], totalMs: 1 });
    await second.find;
    expect(store.getState().featVisExamples).toBeNull();
  });

  it('cancels in the engine, and shows a failure as an error', async () => {
    const first = await finding();
    store.getState().cancelDatasetExamples();
    expect(fake.engine.cancel).toHaveBeenCalledWith(first.call.job);
    expect(store.getState().featVisExamplesStatus).toBe('cancelled');
    first.call.answer.reject(explainCancelled());
    await first.find;
    expect(store.getState().featVisExamplesStatus).toBe('cancelled');
    const second = await finding();
    second.call.answer.reject(new Error('This model has no stage layer9.'));
    await second.find;
    expect(store.getState()).toMatchObject({
      featVisExamplesStatus: 'error',
      featVisExamplesError: 'This model has no stage layer9.',
    });
  });

  it('asks nothing without a read image, and a new model drops the examples', async () => {
    store.setState({ images: [pageImage('b', 'error')] });
    await store.getState().findDatasetExamples();
    expect(fake.engine.datasetExamples).not.toHaveBeenCalled();
    store.setState({ images: [pageImage('a', 'done')] });
    const { find, call } = await finding();
    store.getState().resetFeatVis();
    expect(fake.engine.cancel).toHaveBeenCalledWith(call.job);
    call.answer.resolve({ ranked: [example('a', 1, true)], skipped: [], totalMs: 1 });
    await find;
    expect(store.getState()).toMatchObject({ featVisExamplesStatus: 'idle', featVisExamples: null });
  });
});

describe('featureVisTargetName', () => {
  it('names a class by its index and a channel by its stage', () => {
    expect(featureVisTargetName({ kind: 'class', classIndex: 22 })).toBe('class:22');
    expect(featureVisTargetName(CHANNEL)).toBe('layer4:17');
  });

  it('names a block’s channel by the block, as the Network view names it', () => {
    expect(featureVisTargetName({ kind: 'block', block: 'layer4.1', channel: 17 })).toBe('layer4.1:17');
    expect(featureVisTargetName({ kind: 'block', block: 'conv5_block3', channel: 1001 })).toBe(
      'conv5_block3:1001',
    );
  });
});
