import { expect, test } from './test';
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

import {
  addImages,
  engineHeld,
  expectModelReady,
  fixture,
  holdEngine,
  inferenceWorker,
  killWorker,
  openApp,
  photoFiles,
  predictionsOf,
  releaseEngine,
  resultFor,
} from './helpers';

const banner = (page: Page) => page.locator('.error-banner');

test('the inference worker dying: restarted, the images in flight retried, and a good image classifies after', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await openApp(page);
  await addImages(page, fixture('chelsea.jpg'));
  const before = await predictionsOf(page, 'chelsea.jpg', 'resnet18');

  const first = await inferenceWorker(page);
  // Caught before its forward pass, by arrangement: the batch is with the engine when the engine dies.
  await holdEngine(page);
  const files = photoFiles(4);
  await addImages(page, files);
  await engineHeld(page, 1);
  for (const f of files) await expect(resultFor(page, f.name)).toHaveAttribute('data-status', 'classifying');
  await killWorker(first);

  await expect(banner(page)).toContainText('stopped unexpectedly');
  await expect(banner(page)).toContainText('restarted');
  await expectModelReady(page, 'resnet18');
  const second = await inferenceWorker(page, first);
  expect(second).not.toBe(first);
  // The retry reached the new engine (held again), and goes through once released.
  await engineHeld(page, 2);
  await releaseEngine(page);
  // Every image in flight was retried on the new engine and classified.
  for (const f of files) expect(await predictionsOf(page, f.name, 'resnet18')).toHaveLength(5);
  // Same seeded model on the new engine: the same photo gets the same answer.
  await addImages(page, {
    ...files[0]!,
    name: 'chelsea-again.jpg',
    buffer: readFileSync(fixture('chelsea.jpg')),
  });
  const after = await predictionsOf(page, 'chelsea-again.jpg', 'resnet18');
  expect(after.map((p) => p.classIndex)).toEqual(before.map((p) => p.classIndex));
  after.forEach((p, i) => expect(Math.abs(p.probability - before[i]!.probability)).toBeLessThan(1e-5));
});

test('an image whose engine dies twice is marked failed, and the queue goes on', async ({ page }) => {
  test.setTimeout(600_000);
  await openApp(page);
  await holdEngine(page);
  const files = photoFiles(4);
  await addImages(page, files);
  const card = resultFor(page, files[0]!.name);
  await engineHeld(page, 1);
  await expect(card).toHaveAttribute('data-status', 'classifying');
  const first = await inferenceWorker(page);
  await killWorker(first);
  // The restarted engine takes the retry and is held again before its forward pass: killed there too.
  await engineHeld(page, 2);
  await expect(card).toHaveAttribute('data-status', 'classifying');
  const second = await inferenceWorker(page, first);
  await killWorker(second);

  await expect(card).toHaveAttribute('data-status', 'error', { timeout: 120_000 });
  await expect(card.getByTestId('error')).toHaveAttribute('data-error-code', 'internal');
  await expect(card.getByTestId('error')).toContainText('failed twice');
  await expectModelReady(page, 'resnet18');
  await releaseEngine(page);
  await addImages(page, fixture('coffee.jpg'));
  expect(await predictionsOf(page, 'coffee.jpg', 'resnet18')).toHaveLength(5);
});

test('a lost WebGL context is noticed: backend and model re-created, the user told, the next image right', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await openApp(page, '?model=resnet18&backend=webgl');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgl');
  await addImages(page, fixture('coffee.jpg'));
  const before = await predictionsOf(page, 'coffee.jpg', 'resnet18');

  const worker = await inferenceWorker(page);
  const lost = await worker.evaluate(() =>
    (
      self as unknown as { resnetExplorerFaults: { loseWebGLContext(): boolean } }
    ).resnetExplorerFaults.loseWebGLContext(),
  );
  expect(lost, 'WEBGL_lose_context is available').toBe(true);

  await expect(banner(page)).toContainText('WebGL) context was lost');
  await expectModelReady(page, 'resnet18');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgl');
  await addImages(page, {
    name: 'coffee-after.jpg',
    mimeType: 'image/jpeg',
    buffer: readFileSync(fixture('coffee.jpg')),
  });
  const after = await predictionsOf(page, 'coffee-after.jpg', 'resnet18');
  expect(after.map((p) => p.classIndex)).toEqual(before.map((p) => p.classIndex));
  after.forEach((p, i) => expect(Math.abs(p.probability - before[i]!.probability)).toBeLessThan(1e-4));
});
