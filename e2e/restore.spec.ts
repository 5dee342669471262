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
