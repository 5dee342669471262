/**
 * A TF.js model kept in this browser's IndexedDB with a SHA-256 of its topology and weights, verified on every
 * read: a copy damaged on disk is found, dropped and reported, never loaded.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';

const DB_NAME = 'resnet-lens-models';
const STORE = 'models';

interface StoredModel {
  key: string;
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
  sha256: string;
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

function openDb(): Promise<IDBDatabase> {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'key' });
  return request(open);
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

/** Hex SHA-256 over the topology and weight specs (as JSON) followed by the weight bytes. */
export async function modelChecksum(
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
    sha256: await modelChecksum(artifacts.modelTopology, weightSpecs, weightData),
  };
  // One put in one transaction: IndexedDB commits all of it or nothing.
  await withStore('readwrite', (store) => store.put(record));
}

/** The model stored under `key`, or null if there is none; a damaged copy is deleted and reported by throwing. */
export async function loadCheckedModel(key: string): Promise<LayersModel | null> {
  const record = await withStore<StoredModel | undefined>('readonly', (store) => store.get(key));
  if (!record) return null;
  const sha256 = await modelChecksum(record.modelTopology, record.weightSpecs, record.weightData);
  if (sha256 !== record.sha256) {
    await deleteCheckedModel(key);
    throw new StoredModelCorruptError(key);
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
