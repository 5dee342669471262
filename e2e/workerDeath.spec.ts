/**
 * Nothing in flight is lost to a worker death: a weights load, an explanation and a compare run each cut by the
 * worker dying run again on the new engine by themselves, and the page never throws.
 */
import type { Page } from '@playwright/test';
import path from 'node:path';

import {
  addImages,
  engineHeld,
  expectModelReady,
  fixture,
  holdEngine,
  inferenceWorker,
  killWorker,
  openApp,
  predictionsOf,
  REFERENCE,
  releaseEngine,
  resultFor,
} from './helpers';
import { expect, test } from './test';

const banner = (page: Page) => page.locator('.error-banner');

/** Uncaught errors of the page (a released proxy called, a rejection nobody handled) collected from now on. */
function uncaughtErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** Kills the worker while the engine is held, then lets the new engine run freely. */
async function killHeldWorker(page: Page): Promise<void> {
  await killWorker(await inferenceWorker(page));
  await releaseEngine(page);
}

test('a weights file loading when the worker dies is loaded on the new engine, from the file', async ({
  page,
}) => {
  const errors = uncaughtErrors(page);
  await openApp(page);
  await holdEngine(page, ['load']);
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await engineHeld(page, 1, 'load');

  await killHeldWorker(page);

  await expect(banner(page)).toContainText(
    'The inference worker stopped unexpectedly. The engine was restarted and weights from resnet18.safetensors loaded.',
  );
  await expectModelReady(page, 'resnet18');
  const info = page.getByTestId('weights-info');
  await expect(info).toHaveAttribute('data-source', 'file');
  await expect(info).toHaveAttribute('data-name', 'resnet18.safetensors');
  await expect(page.getByTestId('model-summary')).toHaveAttribute('data-flavor', 'torchvision');
  expect(errors).toEqual([]);
});

test('an explanation running when the worker dies is drawn again for the restarted model', async ({
  page,
}) => {
  const errors = uncaughtErrors(page);
  await openApp(page);
  const PHOTO = 'chelsea-256.png';
  await addImages(page, fixture(PHOTO));
  const [top1] = await predictionsOf(page, PHOTO, 'resnet18');
  await resultFor(page, PHOTO).getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  const explain = panel.getByTestId('explain');
  await explain.getByTestId('explain-method').selectOption('occlusion');
  await holdEngine(page, ['explain']);
  await explain.getByTestId('explain-run').click();
  await engineHeld(page, 1, 'explain');

  await killHeldWorker(page);

  await expect(banner(page)).toContainText(
    'The inference worker stopped unexpectedly. The engine was restarted and the model reloaded.',
  );
  const map = explain.locator(
    `[data-testid="explain-map"][data-method="occlusion"][data-stage="input"][data-class-index="${top1!.classIndex}"]`,
  );
  await expect(map).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  expect(errors).toEqual([]);
});

test('a compare run cut by the worker dying goes on to the end on the new engine', async ({ page }) => {
  const errors = uncaughtErrors(page);
  await openApp(page);
  const photos = ['chelsea.jpg', 'coffee.jpg', 'astronaut.jpg'];
  await addImages(
    page,
    photos.map((name) => fixture(name)),
  );
  for (const name of photos) await predictionsOf(page, name, 'resnet18');
  await holdEngine(page, ['forward']);
  await page.getByTestId('compare-toggle').check();
  const boxes = page.getByTestId('compare-model');
  await expect(boxes.first()).toBeVisible();
  for (const box of await boxes.all()) {
    const id = (await box.getAttribute('data-model-id'))!;
    await box.setChecked(['resnet18', 'resnet34'].includes(id));
  }
  // ResNet34's first batch is with the engine, before its forward pass.
  await engineHeld(page, 1, 'forward');

  await killHeldWorker(page);

  await expect(banner(page)).toContainText('The inference worker stopped unexpectedly.');
  await expect(page.getByTestId('compare-row')).toHaveCount(photos.length, { timeout: 180_000 });
  await expect(page.locator('[data-testid="compare-cell"][data-status="done"]')).toHaveCount(
    photos.length * 2,
    {
      timeout: 240_000,
    },
  );
  await expect(page.locator('[data-testid="compare-cell"][data-status="error"]')).toHaveCount(0);
  expect(errors).toEqual([]);
});
