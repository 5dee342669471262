import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

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

const file = (name: string, size: number) => ({ name, blob: new Blob([new Uint8Array(size)]) });

describe('weightsCache', () => {
  let cache: FakeCache;
  beforeEach(() => {
    cache = new FakeCache();
    vi.stubGlobal('caches', { open: () => Promise.resolve(cache) });
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
