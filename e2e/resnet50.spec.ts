import { expect, test } from './test';
import type { Page } from '@playwright/test';

import { MODELS_DB } from '../src/shared/storageNames';

import {
  addImages,
  expectModelReady,
  expectResNet50Stored,
  fixture,
  numTensors,
  predictionsOf,
  resultFor,
} from './helpers';

// Real photos from scikit-image's data, and the classes an ImageNet-trained ResNet50 must name.
const EXPECTED_TOP1: Record<string, number[]> = {
  'chelsea.jpg': [281, 282, 285], // tabby, tiger cat, Egyptian cat
  'coffee.jpg': [967, 968, 504], // espresso, cup, coffee mug
  'motorcycle_left.jpg': [665, 670], // moped, motor scooter
};
const PHOTOS = Object.keys(EXPECTED_TOP1);

async function classifyAll(page: Page) {
  await addImages(page, PHOTOS.map(fixture));
  const results: Record<string, Awaited<ReturnType<typeof predictionsOf>>> = {};
  for (const photo of PHOTOS) results[photo] = await predictionsOf(page, photo, 'resnet50');
  return results;
}

test('a fresh visit opens on the ImageNet-trained ResNet50, which names the cat, the coffee and the moped; CPU agrees', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await page.goto('/');
  await expectModelReady(page, 'resnet50');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-requested', 'auto');
  await expect(page.getByTestId('variant-select')).toHaveValue('resnet50');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'bundled');
  await expect(page.getByText('These weights are untrained.')).toHaveCount(0);

  const summary = page.getByTestId('model-summary');
  await expect(summary).toHaveAttribute('data-total-params', '25636712');
  await expect(summary).toHaveAttribute('data-flavor', 'keras');
  const rows = await page
    .getByTestId('summary-row')
    .evaluateAll((els) =>
      els.map((el) => [el.getAttribute('data-stage'), el.getAttribute('data-output-shape')]),
    );
  expect(rows).toEqual([
    ['stem', '56x56x64'],
    ['conv2', '56x56x256'],
    ['conv3', '28x28x512'],
    ['conv4', '14x14x1024'],
    ['conv5', '7x7x2048'],
    ['fc', '1000'],
  ]);

  const auto = await classifyAll(page);
  for (const photo of PHOTOS) {
    expect(EXPECTED_TOP1[photo], `${photo}: top-1 ${auto[photo]![0]!.label}`).toContain(
      auto[photo]![0]!.classIndex,
    );
    // The model's own softmax is not applied twice: a confident answer stays confident.
    expect(auto[photo]![0]!.probability).toBeGreaterThan(0.5);
  }

  // Its feature maps and class activation map work like ResNet18/34's.
  await resultFor(page, 'chelsea.jpg').getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  const stages = await panel
    .getByTestId('feature-map')
    .evaluateAll((els) =>
      els.map((el) => `${el.getAttribute('data-stage')} ${el.getAttribute('data-output-shape')}`),
    );
  expect(stages).toEqual([
    'stem 56x56x64',
    'conv2 56x56x256',
    'conv3 28x28x512',
    'conv4 14x14x1024',
    'conv5 7x7x2048',
  ]);
  await expect(panel.getByTestId('cam-overlay')).toHaveAttribute(
    'data-class-index',
    String(auto['chelsea.jpg']![0]!.classIndex),
  );

  // The same photos on the CPU backend: same top-5, probabilities within 1e-3. The model now loads from IndexedDB.
  await expectResNet50Stored(page);
  await page.goto('/?backend=cpu&model=resnet50');
  await expectModelReady(page, 'resnet50');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'cpu');
  const cpu = await classifyAll(page);
  for (const photo of PHOTOS) {
    expect(
      cpu[photo]!.map((p) => p.classIndex),
      photo,
    ).toEqual(auto[photo]!.map((p) => p.classIndex));
    cpu[photo]!.forEach((p, i) =>
      expect(Math.abs(p.probability - auto[photo]![i]!.probability), photo).toBeLessThan(1e-3),
    );
  }
});

test('without ResNet50 installed, the page opens on ResNet18 and says how to get ResNet50', async ({
  page,
}) => {
  // What a machine whose install step could not reach the registry serves: no model.json.
  await page.route('**/models/resnet50/**', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await page.goto('/');
  await expectModelReady(page, 'resnet18');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'random');
  await expect(page.getByTestId('resnet50-hint')).toContainText('node scripts/fetch-resnet50.mjs');
  await expect(page.locator('[data-testid="variant-select"] option[value="resnet50"]')).toBeDisabled();
});

/**
 * A first visit on ResNet50, until its copy is stored in this browser; returns the ResNet50 files the page asks
 * the server for from then on (the test empties it before a reload).
 */
async function visitAndStoreResNet50(page: Page): Promise<string[]> {
  const downloads: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/resnet50/')) downloads.push(r.url());
  });
  await page.goto('/?model=resnet50');
  await expectModelReady(page, 'resnet50');
  await expectResNet50Stored(page);
  return downloads;
}

test('a damaged stored copy of ResNet50 is found, dropped and downloaded again, and still names the cat', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const downloads = await visitAndStoreResNet50(page);
  const tensorsOfOne = await numTensors(page);
  // The copy kept in IndexedDB, with one bit of its weights flipped, as a failing disk would.
  const flipped = await page.evaluate(
    (name) =>
      new Promise<boolean>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const store = open.result.transaction('models', 'readwrite').objectStore('models');
          const cursor = store.openCursor();
          cursor.onerror = () => reject(cursor.error);
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return resolve(false);
            const record = c.value as { weightData: ArrayBuffer };
            const bytes = new Uint8Array(record.weightData);
            bytes[123_456]! ^= 0x10;
            c.update(record).onsuccess = () => resolve(true);
          };
        };
      }),
    MODELS_DB,
  );
  expect(flipped, 'a stored copy to damage').toBe(true);

  downloads.length = 0;
  await page.reload();
  await expectModelReady(page, 'resnet50');
  await expect(page.locator('.error-banner')).toContainText(
    'The copy of ResNet50 stored in this browser was damaged: it was dropped and downloaded again.',
  );
  expect(downloads.some((u) => u.endsWith('model.json'))).toBe(true);
  // The damaged copy was built and warmed up while its checksum was computed: that model is gone again.
  expect(await numTensors(page)).toBe(tensorsOfOne);
  await addImages(page, fixture('chelsea.jpg'));
  const [top] = await predictionsOf(page, 'chelsea.jpg', 'resnet50');
  expect(EXPECTED_TOP1['chelsea.jpg']).toContain(top!.classIndex);

  // The good copy is kept again: the next visit loads it from the browser, without a word.
  await expectResNet50Stored(page);
  downloads.length = 0;
  await page.reload();
  await expectModelReady(page, 'resnet50');
  await expect(page.locator('.error-banner')).toHaveCount(0);
  expect(downloads.filter((u) => u.includes('shard'))).toEqual([]);
});

test('a copy stored by an earlier version (checked with SHA-256) loads without a download and is stored again with XXH64', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const downloads = await visitAndStoreResNet50(page);
  expect(await storedChecksums(page, { asEarlierVersions: false })).toEqual({ xxh64: true, sha256: false });
  // The record as earlier versions wrote it: SHA-256 of the topology and specs as JSON, then the weights.
  expect(await storedChecksums(page, { asEarlierVersions: true })).toEqual({ xxh64: false, sha256: true });

  downloads.length = 0;
  await page.reload();
  await expectModelReady(page, 'resnet50');
  await expect(page.locator('.error-banner')).toHaveCount(0);
  expect(downloads.filter((u) => u.includes('shard'))).toEqual([]);
  await expect
    .poll(() => storedChecksums(page, { asEarlierVersions: false }))
    .toEqual({ xxh64: true, sha256: false });
  await addImages(page, fixture('chelsea.jpg'));
  const [top] = await predictionsOf(page, 'chelsea.jpg', 'resnet50');
  expect(EXPECTED_TOP1['chelsea.jpg']).toContain(top!.classIndex);
});

/**
 * Which checksums the stored ResNet50 record carries; with `asEarlierVersions`, first rewrites it as earlier
 * versions stored it (a SHA-256 in place of the XXH64), in the page.
 */
async function storedChecksums(
  page: Page,
  { asEarlierVersions }: { asEarlierVersions: boolean },
): Promise<{ xxh64: boolean; sha256: boolean }> {
  return page.evaluate(
    async ([rewrite, name]) => {
      interface Stored {
        modelTopology: unknown;
        weightSpecs: unknown;
        weightData: ArrayBuffer;
        xxh64?: string;
        sha256?: string;
      }
      const ask = <T>(request: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const db = await ask(indexedDB.open(name));
      const [record] = (await ask(db.transaction('models').objectStore('models').getAll())) as Stored[];
      if (rewrite && record) {
        const head = new TextEncoder().encode(
          JSON.stringify({ modelTopology: record.modelTopology, weightSpecs: record.weightSpecs }),
        );
        const all = new Uint8Array(head.byteLength + record.weightData.byteLength);
        all.set(head, 0);
        all.set(new Uint8Array(record.weightData), head.byteLength);
        const digest = await crypto.subtle.digest('SHA-256', all);
        delete record.xxh64;
        record.sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
        await ask(db.transaction('models', 'readwrite').objectStore('models').put(record));
      }
      db.close();
      return { xxh64: typeof record?.xxh64 === 'string', sha256: typeof record?.sha256 === 'string' };
    },
    [asEarlierVersions, MODELS_DB] as const,
  );
}
