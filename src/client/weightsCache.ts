/**
 * Loaded weights are kept in Cache Storage so they load offline next time. One entry per weights source,
 * possibly several files (a TF.js model.json with its shards), stored under synthetic same-origin keys that
 * are never fetched from the network, each with the SHA-256 of its bytes, verified when it is read back.
 */
import { FORMER_WEIGHTS_CACHE, WEIGHTS_CACHE } from '../shared/storageNames';
import { isVariantId } from '../shared/variants';
import type { VariantId } from '../shared/variants';
import type { NamedBuffer } from '../shared/weightsFormat';

const PREFIX = '/__weights__/';
const VARIANT_HEADER = 'x-weights-variant';

export interface CachedWeights {
  /** Stable id of the entry (also the key prefix). */
  id: string;
  name: string;
  source: 'file' | 'url';
  bytes: number;
  cachedAt: string;
  fileNames: string[];
  /**
   * The variant the weights turned out to be when they loaded; absent for entries written before it was recorded
   * (compare mode needs it to name the model before loading it).
   */
  variant?: VariantId;
}

/** A cached file no longer matched its checksum; the whole entry has been deleted. */
export class CachedWeightsCorruptError extends Error {
  constructor(readonly fileName: string) {
    super(`The cached copy of ${fileName} was damaged (or could not be verified), so it was removed.`);
    this.name = 'CachedWeightsCorruptError';
  }
}

/** The hex SHA-256 of some bytes: what every stored copy on the page is verified by. */
export async function sha256(data: ArrayBuffer | Blob): Promise<string> {
  const bytes = data instanceof Blob ? await data.arrayBuffer() : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function cacheAvailable(): boolean {
  return typeof caches !== 'undefined';
}

/**
 * Moves the entries of an earlier version's cache (under its former name) into today's, then deletes it. An entry
 * today's cache also has was stored since, so it is newer and kept; the old one is dropped. One entry at a time,
 * whole or not at all (a full quota leaves it in the old cache, for a later visit), and deleted from the old cache
 * once copied, so the move never needs room for two copies of everything. With no old cache it costs one
 * caches.has().
 */
export async function moveFormerWeightsCache(storage: CacheStorage): Promise<void> {
  if (!(await storage.has(FORMER_WEIGHTS_CACHE))) return;
  const [former, current] = await Promise.all([
    storage.open(FORMER_WEIGHTS_CACHE),
    storage.open(WEIGHTS_CACHE),
  ]);
  const currentIds = new Set((await current.keys()).map((request) => parseKey(request.url)?.id));
  const formerEntries = new Map<string, Request[]>();
  for (const request of await former.keys()) {
    const id = parseKey(request.url)?.id;
    if (id !== undefined) formerEntries.set(id, [...(formerEntries.get(id) ?? []), request]);
  }
  for (const [id, requests] of formerEntries) {
    if (!currentIds.has(id)) {
      try {
        for (const request of requests) {
          const response = await former.match(request);
          if (response) await current.put(request, response);
        }
      } catch (err) {
        for (const request of requests) await current.delete(request);
        throw err;
      }
    }
    for (const request of requests) await former.delete(request);
  }
  await storage.delete(FORMER_WEIGHTS_CACHE);
}

const formerMoved = new WeakMap<CacheStorage, Promise<void>>();

/** Today's weights cache, with an earlier version's entries moved into it first (once a page). */
async function openWeightsCache(): Promise<Cache> {
  let move = formerMoved.get(caches);
  if (!move) {
    move = moveFormerWeightsCache(caches).catch((err: unknown) => {
      // What could not be moved stays in the old cache, to be moved on a later visit.
      console.warn('Could not move the weights cached by an earlier version:', err);
    });
    formerMoved.set(caches, move);
  }
  await move;
  return caches.open(WEIGHTS_CACHE);
}

/** The id of the entry that `putCachedWeights(source, name, ...)` writes. */
export function cachedWeightsId(source: 'file' | 'url', name: string): string {
  return `${source}:${name}`;
}

function keyFor(id: string, fileName: string): string {
  return `${PREFIX}${encodeURIComponent(id)}/${encodeURIComponent(fileName)}`;
}

/** Stores the files of one weights source, replacing an older entry of the same name. */
export async function putCachedWeights(
  source: 'file' | 'url',
  name: string,
  files: { name: string; blob: Blob }[],
  variant?: VariantId,
) {
  const cache = await openWeightsCache();
  const id = cachedWeightsId(source, name);
  await deleteCachedWeights(id);
  const cachedAt = new Date().toISOString();
  try {
    for (const file of files) {
      const headers = new Headers({
        'content-type': 'application/octet-stream',
        'content-length': String(file.blob.size),
        'x-weights-name': encodeURIComponent(name),
        'x-weights-source': source,
        'x-cached-at': cachedAt,
        'x-sha256': await sha256(file.blob),
      });
      if (variant) headers.set(VARIANT_HEADER, variant);
      await cache.put(keyFor(id, file.name), new Response(file.blob, { headers }));
    }
  } catch (err) {
    // Never leave half an entry behind (e.g. when the quota runs out on the second shard).
    await deleteCachedWeights(id);
    throw err;
  }
}

function parseKey(url: string): { id: string; fileName: string } | null {
  const path = new URL(url, 'http://x').pathname;
  if (!path.startsWith(PREFIX)) return null;
  const [id, fileName] = path.slice(PREFIX.length).split('/');
  if (!id || !fileName) return null;
  return { id: decodeURIComponent(id), fileName: decodeURIComponent(fileName) };
}

export async function listCachedWeights(): Promise<CachedWeights[]> {
  if (!cacheAvailable()) return [];
  const cache = await openWeightsCache();
  const entries = new Map<string, CachedWeights>();
  for (const request of await cache.keys()) {
    const key = parseKey(request.url);
    const response = key && (await cache.match(request));
    if (!key || !response) continue;
    const entry = entries.get(key.id) ?? {
      id: key.id,
      name: decodeURIComponent(response.headers.get('x-weights-name') ?? key.id),
      source: response.headers.get('x-weights-source') === 'url' ? 'url' : 'file',
      bytes: 0,
      cachedAt: response.headers.get('x-cached-at') ?? '',
      fileNames: [],
    };
    const variant = response.headers.get(VARIANT_HEADER);
    if (isVariantId(variant)) entry.variant = variant;
    entry.bytes += Number(response.headers.get('content-length') ?? 0);
    entry.fileNames.push(key.fileName);
    entries.set(key.id, entry);
  }
  return [...entries.values()].sort((a, b) => b.cachedAt.localeCompare(a.cachedAt));
}

export async function readCachedWeights(id: string): Promise<NamedBuffer[]> {
  const cache = await openWeightsCache();
  const files: NamedBuffer[] = [];
  for (const request of await cache.keys()) {
    const key = parseKey(request.url);
    if (!key || key.id !== id) continue;
    const response = await cache.match(request);
    if (!response) continue;
    const data = await response.arrayBuffer();
    // An entry without a checksum (written by an older version) cannot be verified: it is not trusted either.
    if (response.headers.get('x-sha256') !== (await sha256(data))) {
      await deleteCachedWeights(id);
      throw new CachedWeightsCorruptError(key.fileName);
    }
    files.push({ name: key.fileName, data });
  }
  if (files.length === 0)
    throw new Error('These cached weights are gone (the browser may have evicted them).');
  return files;
}

/**
 * Records the variant of an entry written before variants were recorded, once loading it has told. Cache Storage
 * cannot change a stored response's headers, so each file is stored again with the same bytes.
 */
export async function recordCachedWeightsVariant(id: string, variant: VariantId): Promise<void> {
  if (!cacheAvailable()) return;
  const cache = await openWeightsCache();
  for (const request of await cache.keys()) {
    if (parseKey(request.url)?.id !== id) continue;
    const response = await cache.match(request);
    if (!response || response.headers.get(VARIANT_HEADER) === variant) continue;
    const headers = new Headers(response.headers);
    headers.set(VARIANT_HEADER, variant);
    await cache.put(request, new Response(await response.blob(), { headers }));
  }
}

export async function deleteCachedWeights(id: string): Promise<void> {
  if (!cacheAvailable()) return;
  const cache = await openWeightsCache();
  for (const request of await cache.keys()) {
    if (parseKey(request.url)?.id === id) await cache.delete(request);
  }
}
