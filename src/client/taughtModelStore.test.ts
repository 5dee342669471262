import { describe, expect, it } from 'vitest';

import { initialHeadWeights } from '../shared/teach/headWeights';
import { TAUGHT_MODELS_DB } from '../shared/storageNames';
import { FakeIndexedDb } from '../testing/fakeIndexedDb';
import { writeTaughtModelFile } from './taughtModelFile';
import type { TaughtModelPackage } from './taughtModelFile';
import { KeptModelCorruptError, TaughtModelStore } from './taughtModelStore';

const pkg = (name: string): TaughtModelPackage => ({
  name,
  classNames: ['cat', 'dog'],
  head: initialHeadWeights({ kind: 'dense', features: 512, classes: 2 }, 1),
  backbone: { variant: 'resnet18', origin: 'random', weightsName: 'seeded', checksum: null },
});

async function storeWith(...names: string[]) {
  const fake = new FakeIndexedDb();
  const store = new TaughtModelStore(fake.asFactory());
  for (const [i, name] of names.entries())
    await store.put(pkg(name), await writeTaughtModelFile(pkg(name)), `2026-12-0${i + 1}T00:00:00Z`);
  return { fake, store };
}

describe('TaughtModelStore', () => {
  it('lists what it keeps, newest first, and reads a model back as it was written', async () => {
    const { store } = await storeWith('pets', 'things');
    const list = await store.list();
    expect(list.map((m) => m.name)).toEqual(['things', 'pets']);
    expect(list[0]).toMatchObject({ classNames: ['cat', 'dog'], backbone: { variant: 'resnet18' } });
    const { pkg: read } = await store.read('pets');
    expect(read.name).toBe('pets');
    expect(Array.from(read.head.output.kernel)).toEqual(Array.from(pkg('pets').head.output.kernel));
  });

  it('replaces a model kept under the same name, and deletes', async () => {
    const { store } = await storeWith('pets', 'pets');
    expect((await store.list()).map((m) => m.savedAt)).toEqual(['2026-12-02T00:00:00Z']);
    await store.delete('pets');
    expect(await store.list()).toEqual([]);
  });

  it('drops a copy damaged on disk and says so, never reading it', async () => {
    const { fake, store } = await storeWith('pets', 'things');
    const record = fake.records(TAUGHT_MODELS_DB, 'taught')!.get('pets') as { file: ArrayBuffer };
    new Uint8Array(record.file)[100]! ^= 0xff;
    await expect(store.read('pets')).rejects.toBeInstanceOf(KeptModelCorruptError);
    expect((await store.list()).map((m) => m.name)).toEqual(['things']);
  });
});
