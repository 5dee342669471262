/**
 * An in-memory IndexedDB for unit tests of code that keeps records in it (src/model/checkedModelStore.ts):
 * databases of object stores keyed by a key path, opened (and upgraded), read and written through requests whose
 * events fire in later tasks as a browser's do, transactions that commit once their requests are done or roll
 * back when aborted, and deleted. It records what was asked of the factory, so a test can tell what a visit cost.
 */

interface StoreData {
  keyPath: string;
  records: Map<IDBValidKey, unknown>;
}

interface DatabaseData {
  version: number;
  stores: Map<string, StoreData>;
  /** Shared with the factory: while full, every put fails as on a full disk. */
  quota: { full: boolean };
}

type Handler = ((event: { target: unknown }) => void) | null;

/** Runs `task` in a later task, after the current one's promise jobs, as IndexedDB's events arrive. */
const later = (task: () => void) => void setTimeout(task, 0);

const copyStores = (stores: Map<string, StoreData>) =>
  new Map(
    [...stores].map(([name, data]) => [name, { keyPath: data.keyPath, records: new Map(data.records) }]),
  );

class FakeRequest<T = unknown> {
  result: T | undefined;
  error: DOMException | null = null;
  transaction: FakeTransaction | null = null;
  onsuccess: Handler = null;
  onerror: Handler = null;
  onupgradeneeded: Handler = null;
  onblocked: Handler = null;

  succeed(result: T): void {
    this.result = result;
    this.onsuccess?.({ target: this });
  }
  fail(error: DOMException): void {
    this.error = error;
    this.onerror?.({ target: this });
  }
}

class FakeObjectStore {
  constructor(
    private readonly transaction: FakeTransaction,
    private readonly data: StoreData,
    private readonly quota: { full: boolean },
  ) {}

  private ask<T>(answer: () => T): FakeRequest<T> {
    return this.transaction.request(answer);
  }
  private writable(): void {
    if (this.transaction.mode === 'readonly')
      throw new DOMException('read-only transaction', 'ReadOnlyError');
  }
  get(key: IDBValidKey) {
    return this.ask(() => structuredClone(this.data.records.get(key)));
  }
  getAll() {
    return this.ask(() => [...this.data.records.values()].map((value) => structuredClone(value)));
  }
  getAllKeys() {
    return this.ask(() => [...this.data.records.keys()]);
  }
  count(key?: IDBValidKey) {
    return this.ask(() => (key === undefined ? this.data.records.size : Number(this.data.records.has(key))));
  }
  put(value: unknown) {
    this.writable();
    return this.ask(() => {
      const key = (value as Record<string, IDBValidKey>)[this.data.keyPath];
      if (key === undefined) throw new DOMException('no key at the key path', 'DataError');
      if (this.quota.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      this.data.records.set(key, structuredClone(value));
      return key;
    });
  }
  delete(key: IDBValidKey) {
    this.writable();
    return this.ask(() => void this.data.records.delete(key));
  }
}

class FakeTransaction {
  oncomplete: Handler = null;
  onerror: Handler = null;
  onabort: Handler = null;
  error: DOMException | null = null;
  private pending = 0;
  private finished = false;
  private readonly before: Map<string, StoreData>;

  constructor(
    private readonly database: DatabaseData,
    readonly mode: IDBTransactionMode,
    private readonly onFinish: (committed: boolean) => void = () => undefined,
  ) {
    this.before = copyStores(database.stores);
    later(() => this.settle());
  }

  objectStore(name: string): FakeObjectStore {
    const data = this.database.stores.get(name);
    if (!data) throw new DOMException(`no object store ${name}`, 'NotFoundError');
    return new FakeObjectStore(this, data, this.database.quota);
  }

  request<T>(answer: () => T): FakeRequest<T> {
    if (this.finished) throw new DOMException('the transaction has finished', 'TransactionInactiveError');
    const request = new FakeRequest<T>();
    request.transaction = this;
    this.pending++;
    later(() => {
      this.pending--;
      if (this.finished) return;
      let result: T;
      try {
        result = answer();
      } catch (error) {
        request.fail(error as DOMException);
        this.abort(error as DOMException);
        return;
      }
      request.succeed(result);
      later(() => this.settle());
    });
    return request;
  }

  abort(error: DOMException = new DOMException('aborted', 'AbortError')): void {
    if (this.finished) return;
    this.finished = true;
    this.error = error;
    this.database.stores = this.before;
    later(() => {
      this.onerror?.({ target: this });
      this.onabort?.({ target: this });
      this.onFinish(false);
    });
  }

  /** Commits once no request is pending, as a browser does when the transaction's last request is answered. */
  private settle(): void {
    if (this.finished || this.pending > 0) return;
    this.finished = true;
    this.oncomplete?.({ target: this });
    this.onFinish(true);
  }
}

class FakeDatabase {
  private closed = false;

  constructor(
    readonly name: string,
    private readonly data: DatabaseData,
    private readonly onClose: () => void,
  ) {}

  get version(): number {
    return this.data.version;
  }
  get objectStoreNames() {
    const names = [...this.data.stores.keys()];
    return { contains: (name: string) => names.includes(name), length: names.length };
  }
  createObjectStore(name: string, { keyPath }: { keyPath: string }): void {
    this.data.stores.set(name, { keyPath, records: new Map() });
  }
  transaction(names: string | string[], mode: IDBTransactionMode = 'readonly'): FakeTransaction {
    if (this.closed) throw new DOMException('the connection is closed', 'InvalidStateError');
    for (const name of [names].flat()) {
      if (!this.data.stores.has(name)) throw new DOMException(`no object store ${name}`, 'NotFoundError');
    }
    return new FakeTransaction(this.data, mode);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

export class FakeIndexedDb {
  /** Every call made of the factory, e.g. `databases()`, `open resnet-lens:models`. */
  readonly calls: string[] = [];
  /** While full, every put fails with QuotaExceededError. */
  readonly quota = { full: false };
  private readonly data = new Map<string, DatabaseData>();
  private readonly connections = new Map<string, number>();
  private readonly waitingDeletes = new Map<string, Array<() => void>>();

  /** `withDatabasesMethod: false` is a browser without indexedDB.databases() (Firefox before 126). */
  constructor({ withDatabasesMethod = true }: { withDatabasesMethod?: boolean } = {}) {
    if (!withDatabasesMethod) Object.defineProperty(this, 'databases', { value: undefined });
  }

  /**
   * The factory, typed as the code under test expects it. Each call gives another object over the same
   * databases, as another page or worker has: code that does something once per factory does it again.
   */
  asFactory(): IDBFactory {
    return Object.create(this) as IDBFactory;
  }

  /** The records of a store, as stored (for a test to look at or seed directly). */
  records(database: string, store: string): Map<IDBValidKey, unknown> | undefined {
    return this.data.get(database)?.stores.get(store)?.records;
  }

  /** Creates `database` (version 1) with `store`, holding `records` keyed by `keyPath`, as an app left it. */
  seed(database: string, store: string, keyPath: string, records: Array<Record<string, unknown>>): void {
    const data = this.data.get(database) ?? { version: 1, stores: new Map(), quota: this.quota };
    const entries = records.map(
      (record) => [record[keyPath] as IDBValidKey, structuredClone(record)] as const,
    );
    data.stores.set(store, { keyPath, records: new Map(entries) });
    this.data.set(database, data);
  }

  /** The databases that exist. */
  names(): string[] {
    return [...this.data.keys()];
  }

  databases(): Promise<Array<{ name: string; version: number }>> {
    this.calls.push('databases()');
    return Promise.resolve([...this.data].map(([name, { version }]) => ({ name, version })));
  }

  open(name: string, version?: number): FakeRequest<FakeDatabase> {
    this.calls.push(`open ${name}`);
    const request = new FakeRequest<FakeDatabase>();
    later(() => {
      const existing = this.data.get(name);
      const data: DatabaseData = existing ?? { version: 0, stores: new Map(), quota: this.quota };
      const wanted = version ?? Math.max(data.version, 1);
      if (wanted < data.version) {
        request.fail(new DOMException(`${name} is at version ${data.version}`, 'VersionError'));
        return;
      }
      if (!existing) this.data.set(name, data);
      const connection = this.connect(name, data);
      if (wanted === data.version) {
        request.succeed(connection);
        return;
      }
      const oldVersion = data.version;
      data.version = wanted;
      const upgrade = new FakeTransaction(data, 'versionchange', (committed) => {
        request.transaction = null;
        if (committed) return request.succeed(connection);
        connection.close();
        if (existing) data.version = oldVersion;
        else this.data.delete(name); // an aborted first upgrade leaves no database behind
        request.fail(new DOMException('the upgrade was aborted', 'AbortError'));
      });
      request.transaction = upgrade;
      request.result = connection;
      request.onupgradeneeded?.({ target: request });
    });
    return request;
  }

  deleteDatabase(name: string): FakeRequest<undefined> {
    this.calls.push(`deleteDatabase ${name}`);
    const request = new FakeRequest<undefined>();
    later(() => {
      const remove = () => {
        this.data.delete(name);
        request.succeed(undefined);
      };
      if ((this.connections.get(name) ?? 0) === 0) return remove();
      // As a browser does: blocked while a connection is open, deleted once the last one closes.
      this.waitingDeletes.set(name, [...(this.waitingDeletes.get(name) ?? []), remove]);
      request.onblocked?.({ target: request });
    });
    return request;
  }

  private connect(name: string, data: DatabaseData): FakeDatabase {
    this.connections.set(name, (this.connections.get(name) ?? 0) + 1);
    return new FakeDatabase(name, data, () => {
      const left = (this.connections.get(name) ?? 1) - 1;
      this.connections.set(name, left);
      if (left === 0) {
        for (const remove of this.waitingDeletes.get(name) ?? []) later(remove);
        this.waitingDeletes.delete(name);
      }
    });
  }
}
