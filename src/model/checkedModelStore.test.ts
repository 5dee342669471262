import { createHash } from 'node:crypto';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import xxhash from 'xxhash-wasm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { FORMER_MODELS_DB, MODELS_DB } from '../shared/storageNames';
import { FakeIndexedDb } from '../testing/fakeIndexedDb';
import {
  deleteCheckedModel,
  legacySha256,
  loadCheckedModel,
  matchesChecksum,
  modelChecksum,
  moveFormerDatabase,
  saveCheckedArtifacts,
} from './checkedModelStore';
import type { StoredModel } from './checkedModelStore';

const topology = { class_name: 'Functional', config: { name: 'tiny' } };
const specs = [{ name: 'conv/kernel', shape: [3, 3, 3, 8], dtype: 'float32' as const }];

/** Weight bytes longer than two of the hasher's chunks, with a pattern so a moved byte changes the hash. */
function weights(bytes = 3 * (1 << 20) + 123): ArrayBuffer {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + (i >> 11)) & 255;
  return data.buffer;
}

function record(weightData: ArrayBuffer, checksum: Partial<StoredModel>): StoredModel {
  return { key: 'k', modelTopology: topology, weightSpecs: specs, weightData, ...checksum };
}

describe('modelChecksum', () => {
  it('is XXH64 of the topology and specs as JSON followed by the weights, fed in chunks', async () => {
    const data = weights();
    const head = new TextEncoder().encode(JSON.stringify({ modelTopology: topology, weightSpecs: specs }));
    const all = new Uint8Array(head.byteLength + data.byteLength);
    all.set(head, 0);
    all.set(new Uint8Array(data), head.byteLength);
    const { h64Raw } = await xxhash();
    expect(await modelChecksum(topology, specs, data)).toBe(h64Raw(all).toString(16).padStart(16, '0'));
    expect(await modelChecksum(topology, specs, data)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('matchesChecksum', () => {
  it('accepts an intact copy and finds one flipped bit anywhere, in the weights or the topology', async () => {
    const data = weights();
    const stored = record(data, { xxh64: await modelChecksum(topology, specs, data) });
    expect(await matchesChecksum(stored)).toBe(true);
    for (const at of [0, 1 << 20, data.byteLength - 1]) {
      const damaged = data.slice(0);
      new Uint8Array(damaged)[at]! ^= 0x10;
      expect(await matchesChecksum({ ...stored, weightData: damaged })).toBe(false);
    }
    expect(
      await matchesChecksum({ ...stored, modelTopology: { ...topology, config: { name: 'tinz' } } }),
    ).toBe(false);
  });

  it('checks a copy stored by an earlier version against its SHA-256, and a copy with no checksum fails', async () => {
    const data = weights(4096);
    const legacy = record(data, { sha256: await legacySha256(topology, specs, data) });
    // As earlier versions stored it: SHA-256 of the JSON head and then the weights (Node's own hash here).
    const head = JSON.stringify({ modelTopology: topology, weightSpecs: specs });
    expect(legacy.sha256).toBe(createHash('sha256').update(head).update(new Uint8Array(data)).digest('hex'));
    expect(await matchesChecksum(legacy)).toBe(true);
    const damaged = data.slice(0);
    new Uint8Array(damaged)[7]! ^= 1;
    expect(await matchesChecksum({ ...legacy, weightData: damaged })).toBe(false);
    expect(await matchesChecksum(record(data, {}))).toBe(false);
  });
});

describe('the models database of an earlier version (under its former name)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  /** A small model's artifacts, as TF.js hands them to saveCheckedArtifacts. */
  async function tinyArtifacts(): Promise<tf.io.ModelArtifacts> {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], name: 'fc' })] });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(saved) };
      }),
    );
    model.dispose();
    return artifacts!;
  }

  /** A visit: a new worker, whose IndexedDB holds `fake`'s databases. */
  function visit(fake: FakeIndexedDb): FakeIndexedDb {
    vi.stubGlobal('indexedDB', fake.asFactory());
    return fake;
  }

  /** The records saveCheckedArtifacts writes for `keys`, as an earlier version left them: under the former name. */
  async function storedByEarlierVersion(keys: string[]): Promise<FakeIndexedDb> {
    const writer = visit(new FakeIndexedDb());
    const artifacts = await tinyArtifacts();
    for (const key of keys) await saveCheckedArtifacts(key, artifacts);
    const records = [...writer.records(MODELS_DB, 'models')!.values()] as Array<Record<string, unknown>>;
    const fake = new FakeIndexedDb();
    fake.seed(FORMER_MODELS_DB, 'models', 'key', records);
    return fake;
  }

  it('a stored model loads from today’s database with its checksum, and the former database is gone', async () => {
    const fake = await storedByEarlierVersion(['resnet50', 'other']);
    const before = structuredClone(fake.records(FORMER_MODELS_DB, 'models'));

    visit(fake);
    const model = await loadCheckedModel('resnet50');
    expect(model?.layers.map((layer) => layer.name)).toEqual(['fc']);
    model?.dispose();

    expect(fake.names()).toEqual([MODELS_DB]);
    // Every record, byte for byte, checksum included: nothing to download or hash again.
    expect(fake.records(MODELS_DB, 'models')).toEqual(before);
    const moved = fake.records(MODELS_DB, 'models')!.get('resnet50') as StoredModel;
    expect(moved.xxh64).toMatch(/^[0-9a-f]{16}$/);
    expect(await matchesChecksum(moved)).toBe(true);
  });

  it('keeps a record stored under today’s name since over the former copy of it', async () => {
    const fake = await storedByEarlierVersion(['resnet50', 'other']);
    const newer = { key: 'resnet50', modelTopology: null, weightSpecs: [], weightData: new ArrayBuffer(4) };
    fake.seed(MODELS_DB, 'models', 'key', [newer]);

    await moveFormerDatabase(fake.asFactory());

    expect(fake.names()).toEqual([MODELS_DB]);
    expect(fake.records(MODELS_DB, 'models')!.get('resnet50')).toEqual(newer);
    expect([...fake.records(MODELS_DB, 'models')!.keys()].sort()).toEqual(['other', 'resnet50']);
  });

  it('leaves the former database in place when a copy fails (a full disk), and the visit goes on', async () => {
    const fake = await storedByEarlierVersion(['resnet50']);
    fake.quota.full = true;
    await expect(moveFormerDatabase(fake.asFactory())).rejects.toThrow(/quota/);
    expect(fake.records(FORMER_MODELS_DB, 'models')?.size).toBe(1);
    expect(fake.records(MODELS_DB, 'models')?.size ?? 0).toBe(0);

    // In the engine: reported, and the model is simply not found (downloaded again by the caller).
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    visit(fake);
    expect(await loadCheckedModel('resnet50')).toBeNull();
    expect(warn).toHaveBeenCalledOnce();

    // A later visit, with room again, moves it.
    fake.quota.full = false;
    visit(fake);
    const model = await loadCheckedModel('resnet50');
    expect(model).not.toBeNull();
    model?.dispose();
    expect(fake.names()).toEqual([MODELS_DB]);
  });

  it('with nothing old, a visit asks indexedDB.databases() once and never opens the former name', async () => {
    const fake = visit(new FakeIndexedDb());
    await saveCheckedArtifacts('resnet50', await tinyArtifacts());
    (await loadCheckedModel('resnet50'))?.dispose();
    await deleteCheckedModel('resnet50');
    expect(fake.calls.filter((call) => call === 'databases()')).toHaveLength(1);
    expect(fake.calls.filter((call) => call.includes(FORMER_MODELS_DB))).toEqual([]);
  });

  it('where indexedDB.databases() is missing, asks by opening, and creates no former database', async () => {
    const fake = new FakeIndexedDb({ withDatabasesMethod: false });
    await moveFormerDatabase(fake.asFactory());
    expect(fake.names()).toEqual([]);
    expect(fake.calls).toEqual([`open ${FORMER_MODELS_DB}`]); // not created, so nothing to delete either

    const old = await storedByEarlierVersion(['resnet50']);
    const withoutList = new FakeIndexedDb({ withDatabasesMethod: false });
    withoutList.seed(FORMER_MODELS_DB, 'models', 'key', [
      ...(old.records(FORMER_MODELS_DB, 'models')!.values() as Iterable<Record<string, unknown>>),
    ]);
    await moveFormerDatabase(withoutList.asFactory());
    expect(withoutList.names()).toEqual([MODELS_DB]);
    expect(withoutList.records(MODELS_DB, 'models')?.size).toBe(1);
  });
});
