/**
 * Changing things in the middle: a variant switch, a weights load and a backend change while the engine holds a
 * 50-image batch, and while it holds a Look inside. Each finishes cleanly, says what happened, and leaves no
 * tensors behind (after going back to ResNet18, the engine holds exactly what it held at the start).
 */
import type { Page } from '@playwright/test';
import path from 'node:path';

import {
  engineHeld,
  engineMemory,
  expectModelReady,
  expectNothingLeaked,
  fixture,
  holdEngine,
  openApp,
  photoPaths,
  addImages,
  REFERENCE,
  releaseEngine,
  resultFor,
} from './helpers';
import { expect, test } from './test';

/** Every card done by `variant`: the batch went through the change and was classified again after it. */
async function expectAllDoneBy(page: Page, count: number, variant: string) {
  const cards = page.getByTestId('result');
  await expect(cards).toHaveCount(count);
  await expect(
    page.locator(`[data-testid="result"][data-status="done"][data-variant="${variant}"]`),
  ).toHaveCount(count, { timeout: 300_000 });
}

/** Holds the engine with the first batch of 50 photos, makes `change`, then lets the engine go. */
async function duringBatch(page: Page, change: () => Promise<void>) {
  await openApp(page);
  const start = await engineMemory(page);
  await holdEngine(page);
  await addImages(page, photoPaths(50));
  await engineHeld(page, 1);
  await change();
  await releaseEngine(page);
  return start;
}

test('a variant switch during a 50-image batch: the batch finishes, then all 50 are classified by the new model', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const start = await duringBatch(page, async () => {
    await page.getByTestId('variant-select').selectOption('resnet34');
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'loading');
  });
  await expectModelReady(page, 'resnet34');
  await expectAllDoneBy(page, 50, 'resnet34');
  await expectNothingLeaked(page, start);
});

test('a weights load during a 50-image batch: the weights take over and every image is classified with them', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const start = await duringBatch(page, () =>
    page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet34.pth')),
  );
  await expectModelReady(page, 'resnet34');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file');
  // The file decided the depth: the switch is said.
  await expect(page.getByTestId('weights-note')).toContainText(
    'so the model switched from ResNet18 to ResNet34',
  );
  await expectAllDoneBy(page, 50, 'resnet34');
  await expectNothingLeaked(page, start);
});

test('a backend change during a 50-image batch: the old engine is retired, the new one classifies all 50', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const start = await duringBatch(page, async () => {
    await page.getByTestId('backend-select').selectOption('wasm');
  });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-requested', 'wasm');
  await expectModelReady(page, 'resnet18');
  await expectAllDoneBy(page, 50, 'resnet18');
  await expectNothingLeaked(page, start);
});

test('a variant switch, a weights load and a backend change during Look inside: each redraws for the new model', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await openApp(page);
  const start = await engineMemory(page);
  await addImages(page, fixture('chelsea.jpg'));
  await expect(resultFor(page, 'chelsea.jpg')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const panel = page.getByTestId('feature-maps');
  const layer4 = panel.locator('[data-testid="feature-map"][data-stage="layer4"]');
  let held = 0;

  const during = async (change: () => Promise<void>, variant: string) => {
    await holdEngine(page);
    await resultFor(page, 'chelsea.jpg').getByTestId('inspect-button').click();
    await engineHeld(page, ++held);
    await expect(panel).toHaveAttribute('data-status', 'loading');
    await change();
    await releaseEngine(page);
    await expectModelReady(page, variant);
    // Look inside is computed again for the model now active, never left on the old one or in error.
    await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
    await expect(layer4).toHaveAttribute('data-output-shape', '7x7x512');
    // The photo itself is classified again by the new model before the next change.
    const card = resultFor(page, 'chelsea.jpg');
    await expect(card).toHaveAttribute('data-variant', variant, { timeout: 120_000 });
    await expect(card).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  };

  await during(async () => {
    await page.getByTestId('variant-select').selectOption('resnet34');
  }, 'resnet34');
  await during(
    () => page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors')),
    'resnet18',
  );
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file');
  await during(async () => {
    await page.getByTestId('backend-select').selectOption('wasm');
  }, 'resnet18');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-requested', 'wasm');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file');
  await expectNothingLeaked(page, start);
});
