/**
 * Nothing lost after a fault: when the worker dies or its WebGL context is lost, the active weights come back by
 * themselves (from the file the user gave, the cache, or their URL), and the same photo gets the same answer.
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { WEIGHTS_PORT } from '../playwright.config';
import {
  addImages,
  expectModelReady,
  fixture,
  inferenceWorker,
  killWorker,
  openApp,
  predictionsOf,
} from './helpers';
import { expect, test } from './test';

const REFERENCE = path.resolve(path.dirname(fixture('x')), '..', '..', 'test-fixtures', 'reference');
const WEIGHTS_HOST = `http://127.0.0.1:${WEIGHTS_PORT}`;
const PHOTO = 'chelsea-256.png';
const banner = (page: Page) => page.locator('.error-banner');

/** The photo under a new name each time, so every classification is a new card. */
let copies = 0;
async function classifyPhoto(page: Page) {
  const name = `photo-${++copies}.png`;
  await addImages(page, { name, mimeType: 'image/png', buffer: readFileSync(fixture(PHOTO)) });
  return predictionsOf(page, name, 'resnet18');
}

async function expectWeights(page: Page, source: string, name: string) {
  await expectModelReady(page, 'resnet18');
  const info = page.getByTestId('weights-info');
  await expect(info).toHaveAttribute('data-source', source);
  await expect(info).toHaveAttribute('data-name', name);
  await expect(page.getByTestId('model-summary')).toHaveAttribute('data-flavor', 'torchvision');
}

/** Kills the worker, waits for the restart, and checks the weights and the answer are as before. */
type Predictions = Awaited<ReturnType<typeof classifyPhoto>>;

function expectSameAnswer(after: Predictions, before: Predictions) {
  expect(after.map((p) => p.classIndex)).toEqual(before.map((p) => p.classIndex));
  after.forEach((p, i) => expect(Math.abs(p.probability - before[i]!.probability)).toBeLessThan(1e-5));
}

async function killAndExpectRestored(page: Page, source: string, name: string, before: Predictions) {
  await killWorker(await inferenceWorker(page));
  await expect(banner(page)).toContainText(
    `The inference worker stopped unexpectedly. The engine was restarted and the weights from ${name} restored.`,
  );
  await expectWeights(page, source, name);
  expectSameAnswer(await classifyPhoto(page), before);
}

test('weights from a file come back after the worker dies, from the file itself', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await expectWeights(page, 'file', 'resnet18.safetensors');
  const before = await classifyPhoto(page);
  // Not from the cache: with it gone, the file the user gave is read again.
  await page.evaluate(async () => {
    for (const key of await caches.keys()) await caches.delete(key);
  });
  await killAndExpectRestored(page, 'file', 'resnet18.safetensors', before);
});

test('weights from a URL come back after the worker dies, from the cache, without the server', async ({
  page,
}) => {
  await openApp(page);
  const url = `${WEIGHTS_HOST}/timm/resnet18.tv_in1k/resolve/main/model.safetensors`;
  await page.getByTestId('weights-url').fill(url);
  await page.getByTestId('weights-load').click();
  await expectWeights(page, 'url', url);
  await expect(page.getByTestId('cached-weights-entry')).toHaveCount(1);
  const before = await classifyPhoto(page);
  await page.route(`${WEIGHTS_HOST}/**`, (route) => route.abort('internetdisconnected'));
  await killAndExpectRestored(page, 'url', url, before);
});

/** Counts the page's reads of cached weight files (Cache Storage matches on the cache's weight keys). */
type CountsReads = Window & { cachedWeightReads?: number };
async function countCachedWeightReads(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const match = Cache.prototype.match;
    Cache.prototype.match = function (request, options) {
      const url = request instanceof Request ? request.url : String(request);
      const w = window as CountsReads;
      if (url.includes('/__weights__/')) w.cachedWeightReads = (w.cachedWeightReads ?? 0) + 1;
      return match.call(this, request, options);
    };
  });
}
const cachedWeightReads = (page: Page) => page.evaluate(() => (window as CountsReads).cachedWeightReads ?? 0);

test('weights chosen from the cache come back after the worker dies, from the cache entry', async ({
  page,
}) => {
  await countCachedWeightReads(page);
  await openApp(page);
  // Cached the way a user's weights get there: loaded once from a file.
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await expectWeights(page, 'file', 'resnet18.safetensors');
  const entry = page.getByTestId('cached-weights-entry');
  await expect(entry).toHaveCount(1);
  // A later visit: the page no longer holds the file, only the cache does; the user picks the cached copy.
  await page.reload();
  await expectModelReady(page, 'resnet18');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'random');
  await entry.getByRole('button', { name: 'Load' }).click();
  await expectWeights(page, 'cache', 'resnet18.safetensors');
  const before = await classifyPhoto(page);
  const readsBefore = await cachedWeightReads(page);
  await killAndExpectRestored(page, 'cache', 'resnet18.safetensors', before);
  // Read again from the cache entry (the only copy this page has), which is still there.
  expect(await cachedWeightReads(page)).toBeGreaterThan(readsBefore);
  await expect(entry).toHaveCount(1);
});

test('weights from a file come back after the WebGL context is lost, with the same answer', async ({
  page,
}) => {
  // WebGL runs on SwiftShader here: every model build and forward pass is slow.
  test.setTimeout(600_000);
  await openApp(page, '?model=resnet18&backend=webgl');
  const backend = page.getByTestId('backend');
  await expect(backend).toHaveAttribute('data-backend', 'webgl');
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await expectWeights(page, 'file', 'resnet18.safetensors');
  const before = await classifyPhoto(page);

  const worker = await inferenceWorker(page);
  const lost = await worker.evaluate(() =>
    (
      self as unknown as { resnetExplorerFaults: { loseWebGLContext(): boolean } }
    ).resnetExplorerFaults.loseWebGLContext(),
  );
  expect(lost, 'WEBGL_lose_context is available').toBe(true);

  await expect(banner(page)).toContainText(
    'The GPU (WebGL) context was lost, e.g. by a driver reset. The engine was restarted and the weights from ' +
      'resnet18.safetensors restored.',
    { timeout: 180_000 },
  );
  await expectWeights(page, 'file', 'resnet18.safetensors');
  await expect(backend).toHaveAttribute('data-backend', 'webgl');
  expectSameAnswer(await classifyPhoto(page), before);
});
