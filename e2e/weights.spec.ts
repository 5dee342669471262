import { expect, test } from './test';
import type { Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { WEIGHTS_PORT } from '../playwright.config';
import { addImages, expectModelReady, fixture, openApp, predictionsOf } from './helpers';
import { editSafetensorsHeader } from './safetensorsEdit';

const REFERENCE = path.resolve(FIXTURE_ROOT(), 'test-fixtures', 'reference');
const LOADER_FIXTURES = path.resolve(FIXTURE_ROOT(), 'src', 'model', 'weights', '__fixtures__');
const WEIGHTS_HOST = `http://127.0.0.1:${WEIGHTS_PORT}`;
const PHOTO = 'chelsea-256.png';

function FIXTURE_ROOT(): string {
  return path.resolve(path.dirname(fixture('x')), '..', '..');
}

interface Reference {
  probabilities: number[];
  top5: { indices: number[] };
}
const reference = (depth: 18 | 34): Reference =>
  JSON.parse(readFileSync(path.join(REFERENCE, `resnet${depth}.reference.json`), 'utf8')) as Reference;

const TORCHVISION_PARAMS = { resnet18: '11689512', resnet34: '21797672' };

async function expectTorchvisionModel(page: Page, variant: 'resnet18' | 'resnet34', source: string) {
  await expectModelReady(page, variant);
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', source);
  const summary = page.getByTestId('model-summary');
  await expect(summary).toHaveAttribute('data-flavor', 'torchvision');
  await expect(summary).toHaveAttribute('data-trainable-params', TORCHVISION_PARAMS[variant]);
}

/** Classifies the reference photo and checks it against PyTorch: same top-1, every probability within 1e-3. */
async function expectPyTorchPredictions(page: Page, depth: 18 | 34, fileName = PHOTO) {
  const ref = reference(depth);
  const preds = await predictionsOf(page, fileName, `resnet${depth}`);
  expect(preds[0]!.classIndex).toBe(ref.top5.indices[0]);
  for (const p of preds)
    expect(Math.abs(p.probability - ref.probabilities[p.classIndex]!)).toBeLessThan(1e-3);
  return preds;
}

async function loadWeightFiles(page: Page, files: Parameters<Page['setInputFiles']>[1]) {
  await page.getByTestId('weights-input').setInputFiles(files);
}

test("a torchvision .safetensors file gives PyTorch's predictions on WebGL", async ({ page }) => {
  await openApp(page, '?model=resnet18&backend=webgl');
  await loadWeightFiles(page, path.join(REFERENCE, 'resnet18.safetensors'));
  await expectTorchvisionModel(page, 'resnet18', 'file');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-name', 'resnet18.safetensors');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgl');
  await expect(page.getByText('These weights are untrained.')).toHaveCount(0);
  await addImages(page, fixture(PHOTO));
  await expectPyTorchPredictions(page, 18);
});

test('a ResNet34 .pth is detected, switches the variant, and matches PyTorch', async ({ page }) => {
  await openApp(page);
  await loadWeightFiles(page, path.join(REFERENCE, 'resnet34.pth'));
  await expectTorchvisionModel(page, 'resnet34', 'file');
  await expect(page.getByTestId('variant-select')).toHaveValue('resnet34');
  await addImages(page, fixture(PHOTO));
  await expectPyTorchPredictions(page, 34);
});

test('weights from a URL (hub layout, redirect) load with progress, are cached, and load offline from the cache', async ({
  page,
}) => {
  await openApp(page);
  await page
    .getByTestId('weights-url')
    .fill(`${WEIGHTS_HOST}/timm/resnet18.tv_in1k/resolve/main/model.safetensors`);
  await page.getByTestId('weights-load').click();
  await expectTorchvisionModel(page, 'resnet18', 'url');
  await addImages(page, fixture(PHOTO));
  const fromUrl = await expectPyTorchPredictions(page, 18);

  const entries = page.getByTestId('cached-weights-entry');
  await expect(entries).toHaveCount(1);

  // Next visit: the cached copy loads without the server.
  await page.reload();
  await expectModelReady(page, 'resnet18');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'random');
  await page.route(`${WEIGHTS_HOST}/**`, (route) => route.abort('internetdisconnected'));
  await entries.first().getByRole('button', { name: 'Load' }).click();
  await expectTorchvisionModel(page, 'resnet18', 'cache');
  await addImages(page, fixture(PHOTO));
  const fromCache = await expectPyTorchPredictions(page, 18);
  expect(fromCache).toEqual(fromUrl);

  await entries
    .first()
    .getByRole('button', { name: /Delete/ })
    .click();
  await expect(entries).toHaveCount(0);
});

test('download failures say why, cancel works, and the active model and cache stay as they were', async ({
  page,
}) => {
  await openApp(page);
  const url = page.getByTestId('weights-url');
  const banner = page.locator('.error-banner[data-testid="error"]');

  await url.fill(`${WEIGHTS_HOST}/timm/resnet99.tv_in1k/resolve/main/model.safetensors`);
  await page.getByTestId('weights-load').click();
  await expect(banner).toContainText('HTTP 404');

  await url.fill(`${WEIGHTS_HOST}/no-cors/resnet18.safetensors`);
  await page.getByTestId('weights-load').click();
  await expect(banner).toContainText('CORS');

  await url.fill(`${WEIGHTS_HOST}/cut/resnet18.safetensors`);
  await page.getByTestId('weights-load').click();
  await expect(banner).toContainText(/broke off|ended after/);

  await url.fill(`${WEIGHTS_HOST}/slow/resnet18.safetensors`);
  await page.getByTestId('weights-load').click();
  const progress = page.getByTestId('weights-progress');
  await expect(progress).toBeVisible();
  await expect.poll(async () => Number(await progress.getAttribute('value'))).toBeGreaterThan(0);
  await page.getByTestId('weights-cancel').click();
  await expect(progress).toHaveCount(0);

  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'random');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('cached-weights-entry')).toHaveCount(0);
  await addImages(page, fixture('coffee.jpg'));
  expect(await predictionsOf(page, 'coffee.jpg', 'resnet18')).toHaveLength(5);
});

test('bad weight files are refused with a message naming the problem; the active model keeps working', async ({
  page,
}, testInfo) => {
  await openApp(page);
  const good = readFileSync(path.join(REFERENCE, 'resnet18.safetensors'));
  const banner = page.locator('.error-banner[data-testid="error"]');
  const cases: { name: string; buffer: Buffer; message: RegExp }[] = [
    {
      name: 'truncated.safetensors',
      buffer: good.subarray(0, good.length - 1000),
      message: /truncat|past the end|beyond/i,
    },
    {
      name: 'lying-header.safetensors',
      buffer: readFileSync(path.join(LOADER_FIXTURES, 'lying-header.safetensors')),
      message: /header/i,
    },
    {
      name: 'evil.pth',
      buffer: readFileSync(path.join(LOADER_FIXTURES, 'evil-os-system.pth')),
      message: /system/,
    },
    {
      name: 'legacy.pth',
      buffer: readFileSync(path.join(LOADER_FIXTURES, 'legacy.pth')),
      message: /re-save/i,
    },
    {
      name: 'missing-fc-bias.safetensors',
      buffer: editSafetensorsHeader(good, (h) => delete h['fc.bias']),
      message: /fc\.bias/,
    },
    {
      name: 'transposed-fc.safetensors',
      buffer: editSafetensorsHeader(good, (h) => {
        const fc = h['fc.weight'] as { shape: number[] };
        fc.shape = [512, 1000];
      }),
      message: /fc\.weight/,
    },
    { name: 'notes.safetensors', buffer: Buffer.from('not weights at all'), message: /not a weights file/ },
  ];
  // Written to disk, as weightsFaults.spec does: Chromium reads a file path itself, where three of these, a whole
  // model's size each, would cross the protocol as encoded buffers (50 s of this test's 59 in CI).
  for (const c of cases) {
    const file = testInfo.outputPath(c.name);
    writeFileSync(file, c.buffer);
    await loadWeightFiles(page, file);
    await expect(banner, c.name).toContainText(c.message);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'random');
    await banner.getByRole('button', { name: 'Dismiss error' }).click();
  }
  await addImages(page, fixture('rocket.jpg'));
  expect(await predictionsOf(page, 'rocket.jpg', 'resnet18')).toHaveLength(5);
});

test('the exported TF.js model loads back and gives identical predictions', async ({ page }, testInfo) => {
  await openApp(page);
  await loadWeightFiles(page, path.join(REFERENCE, 'resnet18.safetensors'));
  await expectTorchvisionModel(page, 'resnet18', 'file');
  await addImages(page, fixture(PHOTO));
  const before = await expectPyTorchPredictions(page, 18);

  const downloads: string[] = [];
  page.on('download', (d) => {
    const target = testInfo.outputPath(d.suggestedFilename());
    downloads.push(target);
    void d.saveAs(target);
  });
  await page.getByTestId('export-model').click();
  await expect.poll(() => downloads.length).toBe(2);
  await expect
    .poll(() =>
      downloads.every((f) => {
        try {
          readFileSync(f);
          return true;
        } catch {
          return false;
        }
      }),
    )
    .toBe(true);
  expect(downloads.map((f) => path.basename(f)).sort()).toEqual([
    'resnet18-torchvision.json',
    'resnet18-torchvision.weights.bin',
  ]);

  await page.getByRole('button', { name: 'Clear all' }).click();
  await loadWeightFiles(page, downloads);
  await expectTorchvisionModel(page, 'resnet18', 'file');
  await addImages(page, fixture(PHOTO));
  const after = await predictionsOf(page, PHOTO, 'resnet18');
  expect(after.map((p) => p.classIndex)).toEqual(before.map((p) => p.classIndex));
  after.forEach((p, i) => expect(p.probability).toBeCloseTo(before[i]!.probability, 6));
});
