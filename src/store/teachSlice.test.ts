import { beforeEach, describe, expect, it } from 'vitest';

import type { TeachRunFile } from '../client/teachRun';
import { JobCancelledError } from '../shared/jobs';
import type { ModelInfo, TeachResult } from '../shared/protocol';
import type { EpochRecord, FeaturesResult } from '../shared/teach/teachJob';
import { fakeEngine, flush, modelInfo } from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { createAppStore } from './index';
import type { AppStore } from './index';

const photo = (path: string): TeachRunFile => ({
  path,
  name: path.split('/').at(-1)!,
  type: path.endsWith('.txt') ? 'text/plain' : 'image/jpeg',
  blob: new Blob([path]),
});

const PETS = ['pets/cat/a.jpg', 'pets/cat/b.jpg', 'pets/dog/c.jpg', 'pets/dog/d.jpg'].map(photo);

function features(count: number): FeaturesResult {
  return {
    featureSize: 2,
    features: new Float32Array(count * 2),
    images: Array.from({ length: count }, (_, row) => ({ ok: true as const, row })),
  };
}

const epoch = (n: number): EpochRecord => ({
  epoch: n,
  trainLoss: 1,
  trainAccuracy: 0.5,
  heldOutLoss: 1,
  heldOutAccuracy: 0.5,
});

function taughtInfo(backbone: string, name = 'pets'): ModelInfo {
  return {
    ...modelInfo('resnet18'),
    taught: {
      id: `custom:${name}`,
      name,
      classNames: ['cat', 'dog'],
      labels: ['cat', 'dog'],
      keepImageNet: false,
      backbone,
    },
  };
}

function result(model: ModelInfo): TeachResult {
  return {
    model,
    report: {
      history: [epoch(0)],
      bestEpoch: 0,
      stoppedEarly: false,
      trainAccuracy: 1,
      heldOutAccuracy: 0.5,
      train: [0, 2],
      heldOut: [1, 3],
      confusion: {
        classes: 2,
        counts: [
          [1, 0],
          [1, 0],
        ],
        outside: [0, 0],
      },
      perClassAccuracy: [1, 0],
      wrong: [{ item: 3, actual: 1, predicted: 0 }],
    },
  };
}

let store: AppStore;
let fake: FakeEngine;
let backbone: string;

beforeEach(() => {
  fake = fakeEngine();
  store = createAppStore({ engine: fake.engine });
  backbone = fake.adoptModel();
  store.setState({ modelHandle: backbone, modelStatus: 'ready' });
});

/** Starts a run on PETS and answers its features; the run is then in training (wrapped: awaiting it would wait). */
async function toTraining(): Promise<{ run: Promise<void> }> {
  store.getState().chooseTeachFiles(PETS);
  const run = store.getState().train();
  await flush();
  fake.featuresCalls[0]!.answer.resolve(features(4));
  await flush();
  return { run };
}

describe('teachSlice', () => {
  it('reads a chosen folder as classes, with the folder as the name and what is left out', () => {
    store.getState().chooseTeachFiles([...PETS, photo('pets/cat/notes.txt')]);
    const s = store.getState();
    expect(s.teachName).toBe('pets');
    expect(s.teachChoice).toEqual({
      classes: [
        { name: 'cat', imageCount: 2 },
        { name: 'dog', imageCount: 2 },
      ],
      skipped: [{ path: 'pets/cat/notes.txt', reason: 'not an image' }],
      problems: [],
    });
  });

  it('lists the problems of a folder that cannot be taught, and training it asks the engine nothing', async () => {
    store.getState().chooseTeachFiles(['pets/cat/a.jpg', 'pets/cat/b.jpg'].map(photo));
    expect(store.getState().teachChoice!.problems).toEqual([
      'Teaching needs at least 2 classes, one folder of images each; found only "cat".',
    ]);
    await store.getState().train();
    expect(fake.engine.features).not.toHaveBeenCalled();
    expect(store.getState().teachFailure!.problems[0]).toMatch(/at least 2 classes/);
    expect(store.getState().teachPhase).toBeNull();
  });

  it('runs both phases with progress and the curve, then makes the taught model the active one', async () => {
    store.getState().chooseTeachFiles(PETS);
    const run = store.getState().train();
    await flush();
    expect(store.getState().teachPhase).toBe('features');
    const asked = fake.featuresCalls[0]!;
    expect(asked.args.handle).toBe(backbone);
    asked.onProgress({ fraction: 0.5, message: 'Features of 2/4 images' });
    expect(store.getState().teachProgress).toEqual({ fraction: 0.5, message: 'Features of 2/4 images' });
    asked.answer.resolve(features(4));
    await flush();

    expect(store.getState().teachPhase).toBe('training');
    const teaching = fake.teachCalls[0]!;
    expect(teaching.args.request).toMatchObject({ name: 'pets', classNames: ['cat', 'dog'] });
    expect(teaching.args.request.options.keepImageNet).toBe(false);
    fake.emit({ type: 'epoch', job: teaching.job, epoch: epoch(0) });
    fake.emit({ type: 'epoch', job: teaching.job, epoch: epoch(1) });
    expect(store.getState().teachEpochs.map((e) => e.epoch)).toEqual([0, 1]);

    const model = taughtInfo(backbone);
    teaching.answer.resolve(result(model));
    await run;
    const s = store.getState();
    expect(s.teachPhase).toBeNull();
    expect(s.teachResult!.report.heldOutAccuracy).toBe(0.5);
    expect(s.modelHandle).toBe(model.handle);
    expect(s.taught!.id).toBe('custom:pets');
    expect(s.modelStatus).toBe('ready');
    // The backbone stays loaded, to teach again on.
    expect(fake.released).toEqual([]);
  });

  it('sends the name, keep-ImageNet and augmentation chosen', async () => {
    store.getState().chooseTeachFiles(PETS);
    store.getState().setTeachName(' my pets ');
    store.getState().setTeachKeepImageNet(true);
    store.getState().setTeachAugment(true);
    void store.getState().train();
    await flush();
    expect(fake.featuresCalls[0]!.args.options).toEqual({ augment: true });
    fake.featuresCalls[0]!.answer.resolve(features(4));
    await flush();
    expect(fake.teachCalls[0]!.args.request.name).toBe('my pets');
    expect(fake.teachCalls[0]!.args.request.options.keepImageNet).toBe(true);
  });

  it('a cancel in the features phase cancels that job and changes nothing else', async () => {
    store.getState().chooseTeachFiles(PETS);
    const run = store.getState().train();
    await flush();
    store.getState().cancelTeach();
    expect(fake.engine.cancel).toHaveBeenCalledWith(fake.featuresCalls[0]!.job);
    expect(store.getState()).toMatchObject({ teachPhase: null, teachCancelled: true, modelHandle: backbone });
    fake.featuresCalls[0]!.answer.reject(new JobCancelledError('Reading the features'));
    await run;
    expect(fake.engine.teach).not.toHaveBeenCalled();
    expect(store.getState()).toMatchObject({ teachCancelled: true, teachFailure: null, taught: null });
  });

  it('a cancel in the training phase cancels that job, and the model stays what it was', async () => {
    const { run } = await toTraining();
    store.getState().cancelTeach();
    expect(fake.engine.cancel).toHaveBeenCalledWith(fake.teachCalls[0]!.job);
    fake.teachCalls[0]!.answer.reject(new JobCancelledError('Teaching'));
    await run;
    expect(store.getState()).toMatchObject({
      teachPhase: null,
      teachCancelled: true,
      teachResult: null,
      modelHandle: backbone,
      taught: null,
    });
  });

  it('a failure is shown as one problem', async () => {
    const { run } = await toTraining();
    fake.teachCalls[0]!.answer.reject(new Error('The GPU ran out of memory.'));
    await run;
    expect(store.getState().teachFailure).toEqual({ problems: ['The GPU ran out of memory.'], skipped: [] });
  });

  it('the newest run wins: an older one ending late is released, not adopted', async () => {
    const { run: first } = await toTraining();
    const second = store.getState().train();
    await flush();
    const old = taughtInfo(backbone, 'old');
    fake.teachCalls[0]!.answer.resolve(result(old));
    await first;
    expect(fake.released).toContain(old.handle);
    expect(store.getState().modelHandle).toBe(backbone);
    expect(store.getState().teachPhase).toBe('features');
    fake.featuresCalls[1]!.answer.resolve(features(4));
    await flush();
    const newer = taughtInfo(backbone);
    fake.teachCalls[1]!.answer.resolve(result(newer));
    await second;
    expect(store.getState().modelHandle).toBe(newer.handle);
  });

  it('teaches again on the backbone, and a model loaded later releases both the taught model and its backbone', async () => {
    const { run } = await toTraining();
    const first = taughtInfo(backbone);
    fake.teachCalls[0]!.answer.resolve(result(first));
    await run;

    const again = store.getState().train();
    await flush();
    expect(fake.featuresCalls[1]!.args.handle).toBe(backbone);
    fake.featuresCalls[1]!.answer.resolve(features(4));
    await flush();
    const second = taughtInfo(backbone);
    fake.teachCalls[1]!.answer.resolve(result(second));
    await again;
    expect(fake.released).toEqual([first.handle]);

    const loading = store.getState().loadModel('ResNet18', { kind: 'random', variant: 'resnet18' });
    await flush();
    const built = modelInfo('resnet18');
    fake.loads[0]!.answer.resolve(built);
    await loading;
    expect(fake.released).toEqual([first.handle, second.handle, backbone]);
    expect(store.getState().taught).toBeNull();
  });
});
