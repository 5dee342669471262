/**
 * Everything the app keeps in the browser is under one prefix (src/shared/storageNames.ts). What an earlier
 * version kept under its own names is found under today's on the next visit, and the old names are gone.
 */
import { expect, test } from './test';

import * as names from '../src/shared/storageNames';
import { expectModelReady, expectResNet50Stored } from './helpers';

/** The localStorage key an earlier version used for each of today's. */
const FORMER_KEY_OF = Object.fromEntries(
  names.FORMER_LOCAL_STORAGE_KEYS.map(([former, current]) => [current, former]),
);
const FORMER_THEME_KEY = FORMER_KEY_OF[names.THEME_KEY]!;
const FORMER_RENDERER_KEY = FORMER_KEY_OF[names.RENDERER_KEY]!;
const LOCAL_KEYS = [names.THEME_KEY, names.RENDERER_KEY, FORMER_THEME_KEY, FORMER_RENDERER_KEY];

/** A weights file as the weights cache keeps it: under its synthetic key, with its checksum in a header. */
const CACHED = { id: 'file:tiny.pth', name: 'tiny.pth', bytes: [1, 2, 3, 4, 5, 6, 7, 8] };

test('an earlier version’s theme, remembered renderer, cached weights and stored ResNet50 are found under today’s names, without a download', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const downloads: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/resnet50/')) downloads.push(r.url());
  });
  // A first visit stores ResNet50's copy, under today's name.
  await page.goto('/?model=resnet50');
  await expectModelReady(page, 'resnet50');
  await expectResNet50Stored(page);

  // Then the browser is made to look as an earlier version left it: each of them under its former name only.
  const seeded = await page.evaluate(
    async ({ n, cached, formerTheme, formerRenderer }) => {
      const ask = <T>(request: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const current = await ask(indexedDB.open(n.MODELS_DB));
      const [record] = (await ask(current.transaction('models').objectStore('models').getAll())) as Array<{
        key: string;
        xxh64?: string;
      }>;
      current.close();
      const formerOpen = indexedDB.open(n.FORMER_MODELS_DB, 1);
      formerOpen.onupgradeneeded = () => formerOpen.result.createObjectStore('models', { keyPath: 'key' });
      const former = await ask(formerOpen);
      await ask(former.transaction('models', 'readwrite').objectStore('models').put(record));
      former.close();
      await ask(indexedDB.deleteDatabase(n.MODELS_DB));

      const bytes = new Uint8Array(cached.bytes);
      const digest = await crypto.subtle.digest('SHA-256', bytes);
      const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
      const key = `/__weights__/${encodeURIComponent(cached.id)}/${encodeURIComponent(cached.name)}`;
      const headers = {
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.byteLength),
        'x-weights-name': encodeURIComponent(cached.name),
        'x-weights-source': 'file',
        'x-cached-at': new Date().toISOString(),
        'x-sha256': sha256,
      };
      await (await caches.open(n.FORMER_WEIGHTS_CACHE)).put(key, new Response(bytes, { headers }));
      await caches.delete(n.WEIGHTS_CACHE);

      // The renderer this browser's WebGL reports, as an earlier visit remembered it for auto, marked so the
      // page can be seen to start from the moved one.
      const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      const probed: unknown = info
        ? gl?.getParameter(info.UNMASKED_RENDERER_WEBGL)
        : gl?.getParameter(gl.RENDERER);
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
      const renderer = `${typeof probed === 'string' ? probed : 'Google SwiftShader'} (as remembered)`;
      localStorage.setItem(formerTheme, 'dark');
      localStorage.setItem(formerRenderer, JSON.stringify({ userAgent: navigator.userAgent, renderer }));
      localStorage.removeItem(n.THEME_KEY);
      localStorage.removeItem(n.RENDERER_KEY);
      return { xxh64: record?.xxh64, key, sha256, renderer };
    },
    { n: { ...names }, cached: CACHED, formerTheme: FORMER_THEME_KEY, formerRenderer: FORMER_RENDERER_KEY },
  );
  expect(seeded.xxh64, 'the stored copy carries its checksum').toMatch(/^[0-9a-f]{16}$/);

  downloads.length = 0;
  await page.reload();
  await expectModelReady(page, 'resnet50');
  // ResNet50 came from the moved copy: nothing downloaded, no word of a damaged copy.
  expect(downloads.filter((u) => u.includes('shard'))).toEqual([]);
  await expect(page.locator('.error-banner')).toHaveCount(0);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('cached-weights-entry')).toHaveAttribute('data-name', CACHED.name);
  await expect(page.getByTestId('backend-reason')).toContainText('(as remembered)');

  const stored = () =>
    page.evaluate(
      async ({ n, key, localKeys }) => {
        const ask = <T>(request: IDBRequest<T>) =>
          new Promise<T>((resolve, reject) => {
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
        // Only the app's own: TF.js keeps a database of its own name ('tensorflowjs').
        const databases = (await indexedDB.databases())
          .map((d) => d.name ?? '')
          .filter((name) => name.startsWith('resnet-lens'))
          .sort();
        let xxh64: string | undefined;
        if (databases.includes(n.MODELS_DB)) {
          const db = await ask(indexedDB.open(n.MODELS_DB));
          const records = (await ask(db.transaction('models').objectStore('models').getAll())) as Array<{
            xxh64?: string;
          }>;
          db.close();
          xxh64 = records.length === 1 ? records[0]!.xxh64 : `${records.length} records`;
        }
        const cacheNames = (await caches.keys()).filter((name) => name.startsWith('resnet-lens'));
        const response = await (await caches.open(n.WEIGHTS_CACHE)).match(key);
        const local: Record<string, string | null> = {};
        for (const name of localKeys) local[name] = localStorage.getItem(name);
        return {
          databases,
          xxh64,
          cacheNames: cacheNames.sort(),
          cachedSha256: response?.headers.get('x-sha256'),
          cachedBytes: response ? [...new Uint8Array(await response.arrayBuffer())] : null,
          local,
        };
      },
      { n: { ...names }, key: seeded.key, localKeys: LOCAL_KEYS },
    );
  // The old database's deletion completes once no connection holds it: polled, not assumed instant. Today's are
  // the models' and the taught models' (opened at every start to list the kept ones, empty here).
  await expect
    .poll(async () => (await stored()).databases)
    .toEqual([names.MODELS_DB, names.TAUGHT_MODELS_DB].sort());
  const after = await stored();
  expect(after.xxh64, 'the same copy, with the same checksum').toBe(seeded.xxh64);
  expect(after.cacheNames).toEqual([names.WEIGHTS_CACHE]);
  expect(after.cachedSha256).toBe(seeded.sha256);
  expect(after.cachedBytes).toEqual(CACHED.bytes);
  expect(after.local[names.THEME_KEY]).toBe('dark');
  expect(JSON.parse(after.local[names.RENDERER_KEY] ?? 'null')).toMatchObject({ renderer: seeded.renderer });
  expect(after.local[FORMER_THEME_KEY]).toBeNull();
  expect(after.local[FORMER_RENDERER_KEY]).toBeNull();
});
