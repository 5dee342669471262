import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { FORMER_WEIGHTS_CACHE, WEIGHTS_CACHE } from '../shared/storageNames';
import {
  CachedWeightsCorruptError,
  listCachedWeights,
  putCachedWeights,
  readCachedWeights,
  recordCachedWeightsVariant,
} from './weightsCache';

/** Cache Storage with one in-memory cache whose put() can be told to fail, as a full quota makes it. */
class FakeCache {
  readonly entries = new Map<string, Response>();
  failPutAfter = Infinity;

  private key(request: RequestInfo | URL): string {
    return new URL(request instanceof Request ? request.url : String(request), 'http://app.test').href;
  }
  async put(request: RequestInfo | URL, response: Response): Promise<void> {
    if (this.entries.size >= this.failPutAfter) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    this.entries.set(this.key(request), new Response(await response.blob(), response));
  }
  async match(request: RequestInfo | URL): Promise<Response | undefined> {
    return this.entries.get(this.key(request))?.clone();
  }
  async keys(): Promise<Request[]> {
    return [...this.entries.keys()].map((url) => new Request(url));
  }
  async delete(request: RequestInfo | URL): Promise<boolean> {
    return this.entries.delete(this.key(request));
  }
}

/** Cache Storage of FakeCaches by name, recording what is asked of it. A new one over the same caches is a new visit. */
class FakeCacheStorage {
  readonly calls: string[] = [];
  constructor(readonly named = new Map<string, FakeCache>()) {}

  cache(name: string): FakeCache {
    const cache = this.named.get(name) ?? new FakeCache();
    this.named.set(name, cache);
    return cache;
  }
  async open(name: string): Promise<FakeCache> {
    this.calls.push(`open ${name}`);
    return this.cache(name);
  }
  async has(name: string): Promise<boolean> {
    this.calls.push(`has ${name}`);
    return this.named.has(name);
  }
  async delete(name: string): Promise<boolean> {
    this.calls.push(`delete ${name}`);
    return this.named.delete(name);
  }
}

const file = (name: string, size: number) => ({ name, blob: new Blob([new Uint8Array(size)]) });

describe('weightsCache', () => {
  let cache: FakeCache;
  beforeEach(() => {
    const storage = new FakeCacheStorage();
    cache = storage.cache(WEIGHTS_CACHE);
    vi.stubGlobal('caches', storage);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('stores every file of a source under one entry and reads them back', async () => {
    await putCachedWeights('file', 'resnet18.json', [file('resnet18.json', 10), file('w.bin', 30)]);
    expect(await listCachedWeights()).toMatchObject([
      { id: 'file:resnet18.json', bytes: 40, source: 'file', fileNames: ['resnet18.json', 'w.bin'] },
    ]);
    const files = await readCachedWeights('file:resnet18.json');
    expect(files.map((f) => [f.name, f.data.byteLength])).toEqual([
      ['resnet18.json', 10],
      ['w.bin', 30],
    ]);
  });

  it('records the variant the weights loaded as, also for an entry written without one', async () => {
    await putCachedWeights('url', 'https://a.test/x.safetensors', [file('x.safetensors', 8)], 'resnet34');
    await putCachedWeights('file', 'model.json', [file('model.json', 10), file('w.bin', 30)]);
    expect((await listCachedWeights()).map((e) => [e.id, e.variant])).toEqual(
      expect.arrayContaining([
        ['url:https://a.test/x.safetensors', 'resnet34'],
        ['file:model.json', undefined],
      ]),
    );

    await recordCachedWeightsVariant('file:model.json', 'resnet18');

    const entry = (await listCachedWeights()).find((e) => e.id === 'file:model.json');
    expect(entry).toMatchObject({ variant: 'resnet18', bytes: 40, fileNames: ['model.json', 'w.bin'] });
    // The bytes and their checksums are untouched: the entry still reads back.
    expect((await readCachedWeights('file:model.json')).map((f) => f.data.byteLength)).toEqual([10, 30]);
  });

  it('leaves no half entry when the quota runs out on the second file, and says why', async () => {
    cache.failPutAfter = 1;
    const error = await putCachedWeights('file', 'model.json', [
      file('model.json', 10),
      file('w.bin', 30),
    ]).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('QuotaExceededError');
    expect(cache.entries.size).toBe(0);
    expect(await listCachedWeights()).toEqual([]);
  });

  it('leaves other entries alone when one fails', async () => {
    await putCachedWeights('url', 'https://a.test/x.safetensors', [file('x.safetensors', 8)]);
    cache.failPutAfter = 1;
    await expect(putCachedWeights('file', 'y.pth', [file('y.pth', 8)])).rejects.toThrow(/quota/);
    expect((await listCachedWeights()).map((e) => e.id)).toEqual(['url:https://a.test/x.safetensors']);
  });

  it('finds a flipped byte on read: the whole entry is dropped and the error names the file', async () => {
    await putCachedWeights('file', 'model.json', [file('model.json', 10), file('w.bin', 30)]);
    const key = [...cache.entries.keys()].find((k) => k.endsWith('/w.bin'))!;
    const stored = cache.entries.get(key)!;
    const bytes = new Uint8Array(await stored.clone().arrayBuffer());
    bytes[17]! ^= 0x04;
    cache.entries.set(key, new Response(bytes, { headers: stored.headers }));

    const error = await readCachedWeights('file:model.json').then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(CachedWeightsCorruptError);
    expect((error as CachedWeightsCorruptError).fileName).toBe('w.bin');
    expect(cache.entries.size).toBe(0);
    expect(await listCachedWeights()).toEqual([]);
  });

  it('does not trust an entry without a checksum (written by an older version)', async () => {
    await putCachedWeights('file', 'y.pth', [file('y.pth', 8)]);
    const [key, stored] = [...cache.entries.entries()][0]!;
    const headers = new Headers(stored.headers);
    headers.delete('x-sha256');
    cache.entries.set(key, new Response(await stored.clone().blob(), { headers }));
    await expect(readCachedWeights('file:y.pth')).rejects.toBeInstanceOf(CachedWeightsCorruptError);
    expect(cache.entries.size).toBe(0);
  });
});

describe('weightsCache, over what an earlier version cached under its former name', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  /** A visit: the page's Cache Storage over these caches. */
  function visit(named: Map<string, FakeCache>): FakeCacheStorage {
    const storage = new FakeCacheStorage(named);
    vi.stubGlobal('caches', storage);
    return storage;
  }

  /** Caches holding `entries`, written as the app writes them, under the former name only. */
  async function cachedByEarlierVersion(entries: Array<[string, number]>): Promise<Map<string, FakeCache>> {
    const named = new Map<string, FakeCache>();
    visit(named);
    for (const [name, size] of entries) await putCachedWeights('file', name, [file(name, size)]);
    named.set(FORMER_WEIGHTS_CACHE, named.get(WEIGHTS_CACHE)!);
    named.delete(WEIGHTS_CACHE);
    return named;
  }

  it('finds them under today’s name, checksums and all, and the old cache is gone', async () => {
    const named = await cachedByEarlierVersion([
      ['a.pth', 8],
      ['b.safetensors', 16],
    ]);
    visit(named);
    expect((await listCachedWeights()).map((e) => [e.id, e.bytes]).sort()).toEqual([
      ['file:a.pth', 8],
      ['file:b.safetensors', 16],
    ]);
    expect([...named.keys()]).toEqual([WEIGHTS_CACHE]);
    expect((await readCachedWeights('file:b.safetensors')).map((f) => f.data.byteLength)).toEqual([16]);
  });

  it('keeps an entry stored under today’s name since over the old copy of it', async () => {
    const named = await cachedByEarlierVersion([
      ['a.pth', 8],
      ['b.pth', 8],
    ]);
    // Today's version stored a.pth again before the move (in another tab, say).
    const today = new Map<string, FakeCache>();
    visit(today);
    await putCachedWeights('file', 'a.pth', [file('a.pth', 32)]);
    named.set(WEIGHTS_CACHE, today.get(WEIGHTS_CACHE)!);
    visit(named);

    expect((await listCachedWeights()).map((e) => [e.id, e.bytes]).sort()).toEqual([
      ['file:a.pth', 32],
      ['file:b.pth', 8],
    ]);
    expect(named.has(FORMER_WEIGHTS_CACHE)).toBe(false);
  });

  it('moves an entry whole or not at all: one the quota refuses stays old until a later visit', async () => {
    const named = new Map<string, FakeCache>();
    visit(named);
    await putCachedWeights('file', 'model.json', [file('model.json', 10), file('w.bin', 30)]);
    named.set(FORMER_WEIGHTS_CACHE, named.get(WEIGHTS_CACHE)!);
    named.delete(WEIGHTS_CACHE);
    const full = new FakeCache();
    full.failPutAfter = 1;
    named.set(WEIGHTS_CACHE, full);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    visit(named);
    expect(await listCachedWeights()).toEqual([]);
    expect(warn).toHaveBeenCalledOnce();
    expect(full.entries.size).toBe(0);
    expect(named.get(FORMER_WEIGHTS_CACHE)?.entries.size).toBe(2);

    full.failPutAfter = Infinity;
    visit(named);
    expect(await listCachedWeights()).toMatchObject([{ id: 'file:model.json', bytes: 40 }]);
    expect(named.has(FORMER_WEIGHTS_CACHE)).toBe(false);
  });

  it('with no old cache, costs a visit one caches.has() and never opens the old name', async () => {
    const storage = visit(new Map());
    await listCachedWeights();
    await putCachedWeights('file', 'a.pth', [file('a.pth', 8)]);
    await readCachedWeights('file:a.pth');
    await listCachedWeights();
    expect(storage.calls.filter((call) => call.includes(FORMER_WEIGHTS_CACHE))).toEqual([
      `has ${FORMER_WEIGHTS_CACHE}`,
    ]);
  });
});
