/**
 * Teaching new classes in the page (issue #26): a folder of three classes of real photos (small crops of
 * scikit-image's pictures, e2e/fixtures/teach/things) taught on the ImageNet-trained ResNet50, the taught model then
 * active and naming held-back crops (seeded ResNet18's features do not tell these apart: a head on them stays near
 * chance); Cancel in each phase, caught there by holding the engine; and folders that cannot be taught, each with
 * its reason (both on the cheaper seeded ResNet18).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';

import { expect, test } from './test';
import {
  addImages,
  engineHeld,
  fixture,
  holdEngine,
  numTensors,
  openApp,
  predictionsOf,
  releaseEngine,
} from './helpers';

const THINGS = fixture('teach/things');
const CLASSES = ['cat', 'coffee', 'rocket'];
const heldBack = (name: string) => fixture(`teach/held-back/${name}.jpg`);

/** A folder made for one test: `tree` maps a path inside it to a fixture to copy or to text to write. */
function makeFolder(name: string, tree: Record<string, { copy: string } | { text: string }>): string {
  const root = path.join(mkdtempSync(path.join(tmpdir(), 'teach-')), name);
  for (const [file, content] of Object.entries(tree)) {
    const to = path.join(root, file);
    mkdirSync(path.dirname(to), { recursive: true });
    if ('copy' in content) copyFileSync(content.copy, to);
    else writeFileSync(to, content.text);
  }
  return root;
}

const thing = (cls: string, i: number) => ({ copy: path.join(THINGS, cls, `${cls}-${i}.jpg`) });

async function openTeach(page: Page, folder: string): Promise<void> {
  await page.getByTestId('teach-open').click();
  await page.getByTestId('teach-folder-input').setInputFiles(folder);
}

test('teaches three classes from a folder; the taught model is active, names held-back photos, is kept, and its export gives the same answers in a fresh browser', async ({
  page,
  browser,
  baseURL,
}) => {
  await openApp(page, '?model=resnet50');
  await openTeach(page, THINGS);
  await expect(page.getByTestId('teach-name')).toHaveValue('things');
  await expect(page.getByTestId('teach-untrained')).toHaveCount(0);
  await page.getByTestId('teach-train').click();

  const result = page.getByTestId('teach-result');
  await expect(result).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const classes = JSON.parse((await result.getAttribute('data-classes'))!) as string[];
  expect([...classes].sort()).toEqual(CLASSES);
  for (const side of ['data-train-accuracy', 'data-val-accuracy']) {
    const accuracy = Number(await result.getAttribute(side));
    expect(accuracy, side).toBeGreaterThanOrEqual(0);
    expect(accuracy, side).toBeLessThanOrEqual(1);
  }
  // ImageNet features tell a cat, a cup of coffee and a rocket apart.
  expect(Number(await result.getAttribute('data-train-accuracy'))).toBeGreaterThan(0.9);
  await expect(page.getByTestId('teach-confusion').locator('tbody tr')).toHaveCount(3);
  expect(Number(await page.getByTestId('teach-curve').getAttribute('data-epochs'))).toBeGreaterThan(0);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-model', 'custom:things');

  // Crops of the same photos that were not in the folder: each named by its folder's class.
  await addImages(page, CLASSES.map(heldBack));
  const answers: Record<string, { label: string; probability: number }[]> = {};
  for (const name of CLASSES) {
    const predictions = await predictionsOf(page, `${name}.jpg`);
    expect(predictions[0]?.label, `${name}.jpg`).toBe(name);
    answers[name] = predictions.map(({ label, probability }) => ({ label, probability }));
  }

  // Kept in this browser, and listed in the model select.
  await expect(page.locator('[data-testid="teach-kept-model"][data-name="things"]')).toBeVisible();
  await expect(page.getByTestId('variant-select').locator('option[value="custom:things"]')).toHaveCount(1);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('teach-export').click(),
  ]);
  expect(download.suggestedFilename()).toBe('things.taught.zip');
  const exported = readFileSync((await download.path())!);

  // A fresh browser with ResNet50 but nothing taught: the import makes the taught model active, with the same answers.
  const context = await browser.newContext({ baseURL: baseURL! });
  try {
    const fresh = await context.newPage();
    await openApp(fresh, '?model=resnet50');
    const own = await numTensors(fresh);
    await fresh.getByTestId('teach-open').click();
    const file = (name: string, buffer: Buffer) => ({ name, mimeType: 'application/zip', buffer });
    await fresh.getByTestId('teach-import').setInputFiles(file('things.taught.zip', exported));
    await expect(fresh.getByTestId('model-status')).toHaveAttribute('data-model', 'custom:things', {
      timeout: 60_000,
    });
    await addImages(fresh, CLASSES.map(heldBack));
    for (const name of CLASSES) {
      const predictions = await predictionsOf(fresh, `${name}.jpg`);
      expect(
        predictions.map((p) => p.label),
        `${name}.jpg`,
      ).toEqual(answers[name]!.map((p) => p.label));
      predictions.forEach((p, i) => expect(p.probability).toBeCloseTo(answers[name]![i]!.probability, 4));
    }

    // A damaged file and a file of another kind: refused with the reason, the taught model still active.
    const error = fresh.getByTestId('teach-error');
    const damaged = Buffer.from(exported);
    damaged.fill(0, damaged.length / 2, damaged.length / 2 + 64);
    await fresh.getByTestId('teach-import').setInputFiles(file('damaged.taught.zip', damaged));
    await expect(error).toContainText('damaged');
    await fresh.getByTestId('teach-import').setInputFiles(heldBack('cat'));
    await expect(error).toContainText('not a zip');
    await expect(fresh.getByTestId('model-status')).toHaveAttribute('data-model', 'custom:things');

    // Delete: ResNet50 with its own head again, and the head's tensors gone.
    await fresh
      .locator('[data-testid="teach-kept-model"][data-name="things"]')
      .getByTestId('teach-kept-delete')
      .click();
    await expect(fresh.getByTestId('teach-kept-model')).toHaveCount(0);
    await expect(fresh.getByTestId('model-status')).toHaveAttribute('data-model', 'resnet50');
    await expect.poll(() => numTensors(fresh)).toBe(own);
  } finally {
    await context.close();
  }
});

test('Cancel stops the features phase and the training phase, and the model stays what it was', async ({
  page,
}) => {
  await openApp(page);
  await openTeach(page, THINGS);
  // The seeded backbone is said to give poor features.
  await expect(page.getByTestId('teach-untrained')).toBeVisible();
  const status = page.getByTestId('model-status');

  await holdEngine(page, ['forward']);
  await page.getByTestId('teach-train').click();
  await engineHeld(page, 1, 'forward');
  await expect(page.getByTestId('teach-progress')).toHaveAttribute('data-phase', 'features');
  await page.getByTestId('teach-cancel').click();
  await releaseEngine(page);
  await expect(page.getByTestId('teach-cancelled')).toBeVisible();
  await expect(page.getByTestId('teach-result')).toHaveCount(0);
  await expect(status).toHaveAttribute('data-model', 'resnet18');

  await holdEngine(page, ['teach']);
  await page.getByTestId('teach-train').click();
  await engineHeld(page, 1, 'teach');
  await expect(page.getByTestId('teach-progress')).toHaveAttribute('data-phase', 'training');
  await page.getByTestId('teach-cancel').click();
  await releaseEngine(page);
  await expect(page.getByTestId('teach-cancelled')).toBeVisible();
  await expect(page.getByTestId('teach-result')).toHaveCount(0);
  await expect(status).toHaveAttribute('data-model', 'resnet18');
  await expect(status).toHaveAttribute('data-state', 'ready');
});

test('folders that cannot be taught say why, and list the files left out', async ({ page }) => {
  await openApp(page);
  const error = page.getByTestId('teach-error');

  // One class: refused as soon as it is chosen.
  await openTeach(
    page,
    makeFolder('only-cats', { 'cat/a.jpg': thing('cat', 0), 'cat/b.jpg': thing('cat', 1) }),
  );
  await expect(error).toContainText('Teaching needs at least 2 classes');
  await expect(error).toContainText('found only "cat"');
  await expect(page.getByTestId('teach-train')).toBeDisabled();

  // A class whose images cannot be decoded is empty once read, and a note is no image: both listed.
  const broken = makeFolder('broken', {
    'cat/a.jpg': thing('cat', 0),
    'cat/b.jpg': thing('cat', 1),
    'cat/notes.txt': { text: 'taken at home' },
    'rocket/a.jpg': thing('rocket', 0),
    'rocket/b.jpg': thing('rocket', 1),
    'empty/x.jpg': { text: 'not a JPEG' },
    'empty/y.jpg': { text: 'not one either' },
  });
  await page.getByTestId('teach-folder-input').setInputFiles(broken);
  await expect(error).toHaveCount(0);
  // Augmented: the views of the images that decode are read too, and the set is refused the same way.
  await page.getByTestId('teach-augment').check();
  await page.getByTestId('teach-train').click();
  await expect(page.getByTestId('teach-result')).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  await expect(error).toContainText('"empty" has 0 images');
  const skipped = page.getByTestId('teach-skipped');
  await expect(skipped).toContainText('broken/cat/notes.txt: not an image');
  await expect(skipped).toContainText('broken/empty/x.jpg');
  await expect(skipped).toContainText('broken/empty/y.jpg');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-model', 'resnet18');
});
