import { strToU8 } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';

import { writeTaughtModelFile } from '../client/taughtModelFile';
import type { TaughtModelPackage } from '../client/taughtModelFile';
import { TaughtModelStore } from '../client/taughtModelStore';
import { initialHeadWeights } from '../shared/teach/headWeights';
import { fakeEngine, flush, modelInfo } from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { FakeIndexedDb } from '../testing/fakeIndexedDb';
import { createAppStore } from './index';
import type { AppStore } from './index';

const SEEDED = 'random init (seed 42)';

function pkg(weightsName = SEEDED, name = 'pets'): TaughtModelPackage {
  return {
    name,
    classNames: ['cat', 'dog'],
    head: initialHeadWeights({ kind: 'dense', features: 512, classes: 2 }, 1),
    backbone: { variant: 'resnet18', origin: 'random', weightsName, checksum: null },
  };
}

const fileOf = async (p: TaughtModelPackage) => new Blob([(await writeTaughtModelFile(p)).slice()]);

let store: AppStore;
let fake: FakeEngine;
let backbone: string;

beforeEach(() => {
  fake = fakeEngine();
  store = createAppStore({
    engine: fake.engine,
    taughtModels: new TaughtModelStore(new FakeIndexedDb().asFactory()),
  });
  const info = modelInfo('resnet18');
  backbone = fake.adoptModel();
  store.setState({
    modelHandle: backbone,
    modelStatus: 'ready',
    variant: 'resnet18',
    summary: info.summary,
    weights: info.weights,
    buildMs: 1,
  });
});

describe('keptModelsSlice', () => {
  it('imports a taught model over the active backbone: it becomes the active model and is kept', async () => {
    await store.getState().importTaughtModel(await fileOf(pkg()));
    const s = store.getState();
    expect(s.keptError).toBeNull();
    expect(fake.engine.loadTaught).toHaveBeenCalledWith(backbone, expect.objectContaining({ name: 'pets' }));
    expect(s.taught).toMatchObject({ id: 'custom:pets', classNames: ['cat', 'dog'], backbone });
    expect(s.keptModels.map((m) => m.name)).toEqual(['pets']);
  });

  it('refuses a file of another kind and one for weights this browser lacks, each with its reason', async () => {
    store.getState().openTeach();
    await store.getState().importTaughtModel(new Blob([strToU8('name,label\n')]));
    expect(store.getState().keptError).toBe(
      'Could not import it: This is not a taught model: the file is not a zip.',
    );
    const other = {
      ...pkg(),
      backbone: { ...pkg().backbone, origin: 'file' as const, weightsName: 'mine.safetensors' },
    };
    await store.getState().importTaughtModel(await fileOf(other));
    expect(store.getState().keptError).toContain('load the weights from mine.safetensors first');
    expect(fake.engine.loadTaught).not.toHaveBeenCalled();
    expect(store.getState().taught).toBeNull();
    expect(store.getState().appError).toBeNull();
  });

  it('says why a kept model cannot be opened in the banner too when the panel is closed (the model select)', async () => {
    await store.getState().openKeptModel('nothing-kept');
    expect(store.getState().appError).toBe(
      'Could not open "nothing-kept": No taught model "nothing-kept" is kept in this browser.',
    );
  });

  it('keeps an imported model, reopens it from the list, and Delete goes back to the backbone', async () => {
    await store.getState().importTaughtModel(await fileOf(pkg()));
    const first = store.getState().modelHandle!;
    store.getState().leaveTaughtModel();
    expect(store.getState().modelHandle).toBe(backbone);
    expect(store.getState().taught).toBeNull();
    expect(fake.released).toContain(first);

    await store.getState().openKeptModel('pets');
    expect(store.getState().taught?.id).toBe('custom:pets');
    const reopened = store.getState().modelHandle!;
    await store.getState().deleteKeptModel('pets');
    await flush();
    expect(store.getState().keptModels).toEqual([]);
    expect(store.getState().modelHandle).toBe(backbone);
    expect(store.getState().summary).toEqual(modelInfo('resnet18').summary);
    expect(fake.released).toContain(reopened);
    expect(fake.released).not.toContain(backbone);
  });
});
