/**
 * Taught models kept in this browser (issue #26): each stored as its export file with the SHA-256 of the file,
 * verified on every read, so a copy damaged on disk is found, dropped and reported, never loaded.
 */
import { TAUGHT_MODELS_DB } from '../shared/storageNames';
import { readTaughtModelFile } from './taughtModelFile';
import type { TaughtBackbone, TaughtModelPackage } from './taughtModelFile';
import { sha256 } from './weightsCache';

const STORE = 'taught';

/** A kept taught model as the list shows it. */
export interface KeptTaughtModel {
  name: string;
  classNames: string[];
  backbone: TaughtBackbone;
  /** The export file's size. */
  bytes: number;
  savedAt: string;
}

interface Record extends KeptTaughtModel {
  file: ArrayBuffer;
  sha256: string;
}

/** The stored copy did not match its checksum (or no longer reads as a taught model); it has been deleted. */
export class KeptModelCorruptError extends Error {
  constructor(name: string) {
    super(`The copy of the taught model "${name}" kept in this browser was damaged, so it was removed.`);
    this.name = 'KeptModelCorruptError';
  }
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class TaughtModelStore {
  constructor(private readonly factory: IDBFactory) {}

  private async operate<T>(
    mode: IDBTransactionMode,
    run: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T> {
    const open = this.factory.open(TAUGHT_MODELS_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'name' });
    const db = await request(open);
    try {
      const tx = db.transaction(STORE, mode);
      const done = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = tx.onabort = () => reject(tx.error);
      });
      const result = await request(run(tx.objectStore(STORE)));
      await done;
      return result;
    } finally {
      db.close();
    }
  }

  /** The kept models, newest first. */
  async list(): Promise<KeptTaughtModel[]> {
    const records = (await this.operate('readonly', (store) => store.getAll())) as Record[];
    return records
      .map(({ name, classNames, backbone, bytes, savedAt }) => ({
        name,
        classNames,
        backbone,
        bytes,
        savedAt,
      }))
      .sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  /** Keeps a taught model's export file under its name (replacing one kept under the same name). */
  async put(pkg: TaughtModelPackage, file: Uint8Array, savedAt = new Date().toISOString()): Promise<void> {
    const buffer = file.slice().buffer;
    const record: Record = {
      name: pkg.name,
      classNames: pkg.classNames,
      backbone: pkg.backbone,
      bytes: file.length,
      savedAt,
      file: buffer,
      sha256: await sha256(buffer),
    };
    await this.operate('readwrite', (store) => store.put(record));
  }

  /** The kept model's file and what it holds, verified; a damaged copy is deleted and a KeptModelCorruptError thrown. */
  async read(name: string): Promise<{ file: Uint8Array; pkg: TaughtModelPackage }> {
    const record = (await this.operate('readonly', (store) => store.get(name))) as Record | undefined;
    if (!record) throw new Error(`No taught model "${name}" is kept in this browser.`);
    const file = new Uint8Array(record.file);
    try {
      if ((await sha256(record.file)) !== record.sha256) throw new KeptModelCorruptError(name);
      return { file, pkg: await readTaughtModelFile(file) };
    } catch {
      await this.delete(name);
      throw new KeptModelCorruptError(name);
    }
  }

  async delete(name: string): Promise<void> {
    await this.operate('readwrite', (store) => store.delete(name));
  }
}
