import { describe, expect, it } from 'vitest';

import type { ClassifyResult, EngineImage, ModelSource } from '../shared/protocol';
import { deferred, fakeEngine, flush } from '../testing/fakeEngine';
import { CompareRunner } from './compareRunner';
import type { CompareRunnerHost, RunnableModel } from './compareRunner';
import { EngineFaultError } from './engineClient';

const model = (
  id: string,
  source: ModelSource = { kind: 'random', variant: id as 'resnet34' },
): RunnableModel => ({
  id,
  label: id.toUpperCase(),
  source: async () => source,
});

/** A host whose images wait for every model until answered, recording what it is told. */
function harness(ids: string[], models: (RunnableModel | { id: string; model: null })[], batchSize = 2) {
  const fake = fakeEngine();
  const log: string[] = [];
  const answered = new Map<string, Set<string>>();
  let wanted = true;
  const entries = models.map((m) => ('model' in m ? m : { id: m.id, model: m }));
  const waiting = (modelId: string) => ids.filter((id) => !answered.get(modelId)?.has(id));
  const settle = (modelId: string, imageIds: readonly string[]) => {
    const done = answered.get(modelId) ?? new Set<string>();
    imageIds.forEach((id) => done.add(id));
    answered.set(modelId, done);
  };
  const host: CompareRunnerHost = {
    engine: () => (wanted ? fake.engine : null),
    modelsWithWork: () => entries.filter(({ id }) => waiting(id).length > 0),
    waiting: (modelId) => waiting(modelId).map((id): EngineImage => ({ id, blob: new Blob([id]) })),
    wanted: () => wanted,
    loading: (modelId, progress) => progress === null && log.push(`loaded ${modelId}`),
    started: (modelId, imageIds) => log.push(`${modelId}: ${imageIds.join(',')}`),
    answered: (modelId, imageIds, results: readonly ClassifyResult[]) => {
      expect(results).toHaveLength(imageIds.length);
      settle(modelId, imageIds);
    },
    failed: (modelId, imageIds, message) => {
      log.push(`failed ${modelId} ${imageIds?.join(',') ?? 'all'}: ${message}`);
      settle(modelId, imageIds ?? waiting(modelId));
    },
    idle: () => log.push('idle'),
  };
  const runner = new CompareRunner(host, batchSize);
  return { fake, runner, log, setWanted: (on: boolean) => (wanted = on) };
}

describe('CompareRunner', () => {
  it('runs model-major in batches, one compared model loaded at a time', async () => {
    const { fake, runner, log } = harness(['a', 'b', 'c'], [model('resnet34'), model('resnet50')]);
    runner.pump();
    await runner.idle();
    expect(log).toEqual([
      'loaded resnet34',
      'resnet34: a,b',
      'resnet34: c',
      'loaded resnet50',
      'resnet50: a,b',
      'resnet50: c',
      'idle',
    ]);
    expect(fake.comparedLoads).toEqual(['resnet34', 'resnet50']);
    // The first was released before the second loaded: one compared model in memory at a time.
    expect(fake.comparedLoaded()).toEqual(['resnet50']);
    expect(runner.loadedModelId(fake.engine)).toBe('resnet50');
  });

  it('a model that is not available, or cannot load, fails its images; the others still run', async () => {
    const { fake, runner, log } = harness(
      ['a'],
      [{ id: 'gone', model: null }, model('bad'), model('resnet50')],
    );
    fake.engine.load.mockImplementationOnce(() => Promise.reject(new Error('out of memory')));
    runner.pump();
    await runner.idle();
    expect(log).toContain(
      'failed gone all: gone is not available in this browser: load its weights, then choose it again.',
    );
    expect(log).toContain('failed bad all: Could not load BAD: out of memory');
    expect(log).toContain('resnet50: a');
  });

  it('stops without failing anything when the engine dies under a batch; the next pump goes on', async () => {
    const { fake, runner, log } = harness(['a', 'b'], [model('resnet34')]);
    const answerNow = fake.engine.classify.getMockImplementation()!;
    fake.engine.classify.mockImplementationOnce(() =>
      Promise.reject(new EngineFaultError('The inference worker stopped unexpectedly.')),
    );
    runner.pump();
    await runner.idle();
    expect(log.filter((line) => line.startsWith('failed'))).toEqual([]);
    // The engine's model is gone with it: loaded again on the next run.
    expect(runner.loadedModelId(fake.engine)).toBeNull();
    fake.engine.classify.mockImplementation(answerNow);
    runner.pump();
    await runner.idle();
    expect(fake.comparedLoads).toEqual(['resnet34', 'resnet34']);
    expect(log.at(-2)).toBe('resnet34: a,b');
  });

  it('a CAM takes its turn between batches and uses the model already loaded', async () => {
    const { fake, runner } = harness(['a', 'b', 'c', 'd'], [model('resnet34')], 1);
    const gate = deferred<void>();
    const answerNow = fake.engine.classify.getMockImplementation()!;
    fake.engine.classify.mockImplementationOnce(async (...args) => {
      await gate.promise;
      return answerNow(...args);
    });
    fake.engine.cam.mockImplementation(async () => ({
      cam: { classIndex: 1, bitmap: {} as ImageBitmap },
      predictions: [],
    }));
    runner.pump();
    await flush();
    const cam = runner.cam(fake.engine, model('resnet34'), { id: 'a', blob: new Blob(['a']) });
    gate.resolve();
    await cam;
    // Asked during the first batch, answered before the second: one load for both.
    expect(fake.comparedClassified.map((c) => c.imageIds)).toEqual([['a']]);
    expect(fake.comparedLoads).toEqual(['resnet34']);
    await runner.idle();
    expect(fake.comparedClassified).toHaveLength(4);
  });

  it('release frees the loaded model once answers are no longer wanted, and only then', async () => {
    const { fake, runner, setWanted } = harness(['a'], [model('resnet34')]);
    runner.pump();
    await runner.idle();
    await runner.release();
    expect(fake.comparedLoaded()).toEqual(['resnet34']);
    setWanted(false);
    await runner.release();
    expect(fake.comparedLoaded()).toEqual([]);
  });

  it('identify loads weights once and keeps them as the compared model under the id it learns', async () => {
    const { fake, runner } = harness([], []);
    const source: ModelSource = { kind: 'files', origin: 'cache', name: 'w.safetensors', files: [] };
    const info = await runner.identify(
      fake.engine,
      async () => source,
      ({ summary }) => `${summary.variant}:w`,
    );
    expect(info.summary.variant).toBe('resnet18');
    expect(runner.loadedModelId(fake.engine)).toBe('resnet18:w');
    expect(fake.comparedSources).toEqual([source]);
  });
});
