/**
 * A TF.js model kept in this browser's IndexedDB with a checksum of its topology and weights, verified on every
 * read: a copy damaged on disk is found, dropped and reported, never loaded.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import xxhash from 'xxhash-wasm';
import type { XXHashAPI } from 'xxhash-wasm';

import { FORMER_MODELS_DB, MODELS_DB } from '../shared/storageNames';
import { markStart } from '../shared/startMarks';

const STORE = 'models';

export interface StoredModel {
  key: string;
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
  /** modelChecksum's hex XXH64. */
  xxh64?: string;
  /** What copies stored by earlier versions carry instead: legacySha256's hex. */
  sha256?: string;
}

/** The stored copy did not match its checksum; it has been deleted. */
export class StoredModelCorruptError extends Error {
  constructor(key: string) {
    super(`The copy of ${key} stored in this browser was damaged.`);
    this.name = 'StoredModelCorruptError';
  }
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openCurrent(factory: IDBFactory): Promise<IDBDatabase> {
  const open = factory.open(MODELS_DB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'key' });
  return request(open);
}

/** The database `name` if it exists, or null; it is never created. */
async function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase | null> {
  // databases() answers without opening anything: the one question a visit with nothing old asks.
  if (typeof factory.databases === 'function') {
    if (!(await factory.databases()).some((database) => database.name === name)) return null;
  }
  return new Promise((resolve, reject) => {
    const open = factory.open(name);
    let missing = false;
    // Opening a database that does not exist creates it (and where databases() is missing, opening is the only
    // way to ask): that first upgrade is aborted, which leaves nothing behind.
    open.onupgradeneeded = () => {
      missing = true;
      open.transaction?.abort();
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => (missing ? resolve(null) : reject(open.error));
  });
}

/** Stores `record` under `key` unless the database has a record there already. */
function putIfAbsent(database: IDBDatabase, key: IDBValidKey, record: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = database.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const count = store.count(key);
    count.onsuccess = () => {
      if (count.result === 0) store.put(record);
    };
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deletion = factory.deleteDatabase(name);
    deletion.onsuccess = () => resolve();
    deletion.onerror = () => reject(deletion.error);
    // Another tab still has it open: it goes once that one closes it, and nothing here needs to wait for that.
    deletion.onblocked = () => resolve();
  });
}

/**
 * Moves the records of an earlier version's database (under its former name) into today's, then deletes it: the
 * ResNet50 copy keeps its bytes and its checksum, so the first visit after the rename does not download it again.
 * A record today's database also has was stored since, so it is newer and kept. Records are copied one at a time
 * (ResNet50's is ~98 MB). Should a copy fail (a full quota), the old database stays, for a later visit.
 */
export async function moveFormerDatabase(factory: IDBFactory): Promise<void> {
  const former = await openExisting(factory, FORMER_MODELS_DB);
  if (!former) return;
  try {
    if (former.objectStoreNames.contains(STORE)) {
      const keys = await request(former.transaction(STORE).objectStore(STORE).getAllKeys());
      const current = await openCurrent(factory);
      try {
        for (const key of keys) {
          const record: unknown = await request(former.transaction(STORE).objectStore(STORE).get(key));
          if (record !== undefined) await putIfAbsent(current, key, record);
        }
      } finally {
        current.close();
      }
    }
  } finally {
    former.close();
  }
  await deleteDatabase(factory, FORMER_MODELS_DB);
}

const formerMoved = new WeakMap<IDBFactory, Promise<void>>();

/** Today's database, with an earlier version's records moved into it first (once a worker). */
async function openDb(): Promise<IDBDatabase> {
  const factory = indexedDB;
  let move = formerMoved.get(factory);
  if (!move) {
    move = moveFormerDatabase(factory).catch((err: unknown) => {
      console.warn('Could not move the models stored by an earlier version:', err);
    });
    formerMoved.set(factory, move);
  }
  await move;
  return openCurrent(factory);
}

async function withStore<T>(
  mode: IDBTransactionMode,
  operate: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, mode);
    const result = await request(operate(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

/**
 * The checksum guards against damage on disk, not against an attacker (whoever can rewrite the copy can rewrite
 * its checksum too), so a fast non-cryptographic hash does: XXH64 over 98 MB takes about 15 ms where WebCrypto's
 * SHA-256 took about 190 ms of a repeat visit's start, on the engine's own thread.
 */
let hashing: Promise<XXHashAPI> | null = null;
/** Bytes handed to the hasher per call: it copies each into its own memory, which one 98 MB call grows to fit. */
const HASH_CHUNK_BYTES = 1 << 20;

/** Hex XXH64 (seed 0) over the topology and weight specs (as JSON) followed by the weight bytes. */
export async function modelChecksum(
  modelTopology: unknown,
  weightSpecs: readonly tf.io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
): Promise<string> {
  const { create64 } = await (hashing ??= xxhash());
  const hash = create64().update(new TextEncoder().encode(JSON.stringify({ modelTopology, weightSpecs })));
  const bytes = new Uint8Array(weightData);
  for (let offset = 0; offset < bytes.length; offset += HASH_CHUNK_BYTES) {
    hash.update(bytes.subarray(offset, offset + HASH_CHUNK_BYTES));
  }
  return hash.digest().toString(16).padStart(16, '0');
}

/** Hex SHA-256 over the same bytes: the checksum of copies stored by earlier versions. */
export async function legacySha256(
  modelTopology: unknown,
  weightSpecs: readonly tf.io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
): Promise<string> {
  const head = new TextEncoder().encode(JSON.stringify({ modelTopology, weightSpecs }));
  const all = new Uint8Array(head.byteLength + weightData.byteLength);
  all.set(head, 0);
  all.set(new Uint8Array(weightData), head.byteLength);
  const digest = await crypto.subtle.digest('SHA-256', all);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether a stored record matches the checksum it was stored with (an earlier version's SHA-256 too). */
export async function matchesChecksum(record: StoredModel): Promise<boolean> {
  const { modelTopology, weightSpecs, weightData } = record;
  if (record.xxh64 !== undefined) {
    return (await modelChecksum(modelTopology, weightSpecs, weightData)) === record.xxh64;
  }
  if (record.sha256 !== undefined) {
    return (await legacySha256(modelTopology, weightSpecs, weightData)) === record.sha256;
  }
  return false;
}

/**
 * Stores a model's artifacts (topology, weight specs and bytes) under `key`, replacing what was there. A failure
 * (a full quota) leaves no record behind.
 */
export async function saveCheckedArtifacts(key: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  const data = artifacts.weightData ?? new ArrayBuffer(0);
  const weightData = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  const weightSpecs = artifacts.weightSpecs ?? [];
  const record: StoredModel = {
    key,
    modelTopology: artifacts.modelTopology,
    weightSpecs,
    weightData,
    xxh64: await modelChecksum(artifacts.modelTopology, weightSpecs, weightData),
  };
  // One put in one transaction: IndexedDB commits all of it or nothing.
  await withStore('readwrite', (store) => store.put(record));
}

/** The model stored under `key`, or null if there is none; a damaged copy is deleted and reported by throwing. */
export async function loadCheckedModel(key: string): Promise<LayersModel | null> {
  const record = await withStore<StoredModel | undefined>('readonly', (store) => store.get(key));
  if (!record) return null;
  markStart('weights-read');
  if (!(await matchesChecksum(record))) {
    await deleteCheckedModel(key);
    throw new StoredModelCorruptError(key);
  }
  markStart('weights-checked');
  if (record.xxh64 === undefined) {
    // An earlier version's copy, intact: stored again with the fast checksum, so later visits skip SHA-256.
    const { sha256: _legacy, ...rest } = record;
    const xxh64 = await modelChecksum(rest.modelTopology, rest.weightSpecs, rest.weightData);
    void withStore('readwrite', (store) => store.put({ ...rest, xxh64 })).catch(() => undefined);
  }
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: record.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: record.weightSpecs,
      weightData: record.weightData,
    }),
  );
}

export async function deleteCheckedModel(key: string): Promise<void> {
  await withStore('readwrite', (store) => store.delete(key));
}
