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
    `stopped unexpectedly. The engine was restarted and the weights from ${name} restored.`,
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

test('cached weights come back after the worker dies; after a lost WebGL context too', async ({ page }) => {
  test.setTimeout(600_000);
  await openApp(page, '?model=resnet18&backend=webgl');
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await expectWeights(page, 'file', 'resnet18.safetensors');
  await page.reload();
  await expectModelReady(page, 'resnet18');
  await page.getByTestId('cached-weights-entry').first().getByRole('button', { name: 'Load' }).click();
  await expectWeights(page, 'cache', 'resnet18.safetensors');
  const before = await classifyPhoto(page);
  await killAndExpectRestored(page, 'cache', 'resnet18.safetensors', before);

  await page
    .getByTestId('error-dismiss')
    .click()
    .catch(() => undefined);
  const lost = await (
    await inferenceWorker(page)
  ).evaluate(() =>
    (
      self as unknown as { resnetExplorerFaults: { loseWebGLContext(): boolean } }
    ).resnetExplorerFaults.loseWebGLContext(),
  );
  expect(lost, 'WEBGL_lose_context is available').toBe(true);
  await expect(banner(page)).toContainText(
    'WebGL) context was lost, e.g. by a driver reset. The engine was restarted and the weights from resnet18.safetensors restored.',
  );
  await expectWeights(page, 'cache', 'resnet18.safetensors');
  expectSameAnswer(await classifyPhoto(page), before);
});

test('a backend change keeps the loaded weights', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await expectWeights(page, 'file', 'resnet18.safetensors');
  const before = await classifyPhoto(page);
  await page.getByTestId('backend-select').selectOption('webgl');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgl');
  await expectWeights(page, 'file', 'resnet18.safetensors');
  const after = await classifyPhoto(page);
  expect(after.map((p) => p.classIndex)).toEqual(before.map((p) => p.classIndex));
  after.forEach((p, i) => expect(Math.abs(p.probability - before[i]!.probability)).toBeLessThan(1e-3));
});
