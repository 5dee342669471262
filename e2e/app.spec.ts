import { expect, test } from './test';
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

import { isSoftwareRenderer } from '../src/shared/softwareRenderer';

import {
  addImages,
  engineHeld,
  expectModelReady,
  fixture,
  holdEngine,
  numTensors,
  openApp,
  photoFiles,
  predictionsOf,
  releaseEngine,
  resultFor,
} from './helpers';

const RESNET18_SUMMARY = {
  total: '12053608',
  trainable: '12045800',
  nonTrainable: '7808',
  rows: [
    ['stem', '56x56x64', '9728'],
    ['layer1', '56x56x64', '157056'],
    ['layer2', '28x28x128', '543488'],
    ['layer3', '14x14x256', '2168320'],
    ['layer4', '7x7x512', '8662016'],
    ['fc', '1000', '513000'],
  ],
};

/**
 * The WebGL 2 renderer this browser reports, asked the way the engine asks it (an OffscreenCanvas context's
 * unmasked renderer), on whatever machine runs the test: SwiftShader here, a real GPU elsewhere.
 */
async function webgl2Renderer(page: Page): Promise<{ available: boolean; renderer?: string }> {
  return page.evaluate(() => {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return { available: false };
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return typeof renderer === 'string' ? { available: true, renderer } : { available: true };
  });
}

function expectDescendingProbabilities(preds: { probability: number }[]): void {
  for (let i = 0; i < preds.length; i++) {
    expect(preds[i]!.probability).toBeGreaterThan(0);
    expect(preds[i]!.probability).toBeLessThanOrEqual(1);
    if (i > 0) expect(preds[i]!.probability).toBeLessThanOrEqual(preds[i - 1]!.probability);
  }
}

test('auto picks WASM with every core on software WebGL and WebGL on a GPU, by itself, in a worker, with the ResNet18 summary and untrained random weights', async ({
  page,
}) => {
  await openApp(page);
  const backend = page.getByTestId('backend');
  await expect(backend).toHaveAttribute('data-requested', 'auto');
  await expect(backend).toHaveAttribute('data-thread', 'worker');
  expect(await page.evaluate(() => crossOriginIsolated), 'served cross-origin isolated').toBe(true);
  // The right choice depends on the machine: it follows from the renderer this browser's WebGL reports.
  const webgl = await webgl2Renderer(page);
  const reason = page.getByTestId('backend-reason');
  if (!webgl.available) {
    await expect(backend).toHaveAttribute('data-backend', 'wasm');
    await expect(reason).toContainText('no WebGL 2');
  } else if (webgl.renderer !== undefined && isSoftwareRenderer(webgl.renderer)) {
    await expect(backend).toHaveAttribute('data-backend', 'wasm');
    await expect(reason).toContainText('software renderer');
    await expect(reason).toContainText(webgl.renderer);
  } else {
    await expect(backend).toHaveAttribute('data-backend', 'webgl');
    await expect(reason).toContainText('WebGL runs on a GPU');
    await expect(reason).toContainText(webgl.renderer ?? 'unknown renderer');
  }
  if ((await backend.getAttribute('data-backend')) === 'wasm') {
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await expect(backend).toHaveAttribute('data-threads', String(cores));
  }
  await expect(page.getByTestId('backend-select')).toHaveValue('auto');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-model', 'resnet18');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'random');
  await expect(page.getByText('These weights are untrained.')).toBeVisible();

  const summary = page.getByTestId('model-summary');
  await expect(summary).toHaveAttribute('data-total-params', RESNET18_SUMMARY.total);
  await expect(summary).toHaveAttribute('data-trainable-params', RESNET18_SUMMARY.trainable);
  await expect(summary).toHaveAttribute('data-non-trainable-params', RESNET18_SUMMARY.nonTrainable);
  const rows = await page
    .getByTestId('summary-row')
    .evaluateAll((els) =>
      els.map((el) => [
        el.getAttribute('data-stage'),
        el.getAttribute('data-output-shape'),
        el.getAttribute('data-params'),
      ]),
    );
  expect(rows).toEqual(RESNET18_SUMMARY.rows);
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('a real photo gets k descending probabilities; k is adjustable; a reload gives the same answer', async ({
  page,
}) => {
  await openApp(page);
  await addImages(page, fixture('chelsea.jpg'));
  const top5 = await predictionsOf(page, 'chelsea.jpg', 'resnet18');
  expect(top5).toHaveLength(5);
  expectDescendingProbabilities(top5);
  expect(new Set(top5.map((p) => p.classIndex)).size).toBe(5);
  expect(top5.every((p) => p.label.length > 0)).toBe(true);

  const k = page.getByTestId('topk-input');
  await k.fill('12');
  const card = resultFor(page, 'chelsea.jpg');
  await expect(card.getByTestId('prediction')).toHaveCount(12);
  const top12 = await predictionsOf(page, 'chelsea.jpg');
  expectDescendingProbabilities(top12);
  expect(top12.slice(0, 5)).toEqual(top5);
  await k.fill('1');
  await expect(card.getByTestId('prediction')).toHaveCount(1);

  // Seeded weights: the same image gives the same result after a reload.
  await page.reload();
  await expectModelReady(page, 'resnet18');
  await addImages(page, fixture('chelsea.jpg'));
  const afterReload = await predictionsOf(page, 'chelsea.jpg', 'resnet18');
  expect(afterReload.map((p) => p.classIndex)).toEqual(top5.map((p) => p.classIndex));
  afterReload.forEach((p, i) => expect(p.probability).toBeCloseTo(top5[i]!.probability, 5));
});

test('switching to ResNet34 shows 22,735,912 parameters and re-classifies the images shown', async ({
  page,
}) => {
  await openApp(page);
  await addImages(page, fixture('coffee.jpg'));
  const with18 = await predictionsOf(page, 'coffee.jpg', 'resnet18');

  // Held before the build, so the loading state is seen by arrangement rather than caught in passing.
  await holdEngine(page, ['load']);
  await page.getByTestId('variant-select').selectOption('resnet34');
  await engineHeld(page, 1, 'load');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'loading');
  await releaseEngine(page);
  await expectModelReady(page, 'resnet34');
  const summary = page.getByTestId('model-summary');
  await expect(summary).toHaveAttribute('data-total-params', '22735912');
  await expect(summary).toHaveAttribute('data-trainable-params', '22720680');
  await expect(summary).toHaveAttribute('data-non-trainable-params', '15232');
  await expect(page.locator('[data-testid="summary-row"][data-stage="layer3"]')).toHaveAttribute(
    'data-params',
    '7160320',
  );
  await expect(page).toHaveURL(/model=resnet34/);

  const with34 = await predictionsOf(page, 'coffee.jpg', 'resnet34');
  expect(with34).toHaveLength(5);
  expectDescendingProbabilities(with34);
  expect(with34).not.toEqual(with18);
});

test('bad files get a clear error on their own card; a following good image still classifies', async ({
  page,
}) => {
  await openApp(page);
  await addImages(page, {
    name: 'notes.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from('just some text, not a JPEG\n'),
  });
  const bad = resultFor(page, 'notes.jpg');
  await expect(bad).toHaveAttribute('data-status', 'error');
  const alert = bad.getByTestId('error');
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(alert).toHaveAttribute('data-error-code', 'undecodable');
  await expect(alert).toContainText('not an image');

  await addImages(page, { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) });
  await expect(resultFor(page, 'empty.png').getByTestId('error')).toContainText('empty');

  const jpeg = readFileSync(fixture('rocket.jpg'));
  await addImages(page, { name: 'cut.jpg', mimeType: 'image/jpeg', buffer: jpeg.subarray(0, 200) });
  await expect(resultFor(page, 'cut.jpg')).toHaveAttribute('data-status', 'error');

  await addImages(page, fixture('rocket.jpg'));
  const preds = await predictionsOf(page, 'rocket.jpg', 'resnet18');
  expect(preds).toHaveLength(5);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
  // The file name is shown as text, not interpreted as HTML.
  await addImages(page, {
    name: '<img src=x onerror=alert(1)>.png',
    mimeType: 'image/png',
    buffer: Buffer.from('x'),
  });
  await expect(page.getByText('<img src=x onerror=alert(1)>.png')).toBeVisible();
});

test("the tensor count returns to the model's own after 10 classifications and 2 switches", async ({
  page,
}) => {
  await openApp(page);
  const baseline = await numTensors(page);
  expect(baseline).toBeGreaterThan(0);
  const files = photoFiles(10);
  await addImages(page, files);
  for (const f of files) await predictionsOf(page, f.name, 'resnet18');
  expect(await numTensors(page)).toBe(baseline);

  await page.getByRole('button', { name: 'Clear all' }).click();
  await page.getByTestId('variant-select').selectOption('resnet34');
  await expectModelReady(page, 'resnet34');
  await page.getByTestId('variant-select').selectOption('resnet18');
  await expectModelReady(page, 'resnet18');
  await expect.poll(() => numTensors(page)).toBe(baseline);
});

test('?backend=wasm&model=resnet34 forces the backend and the variant', async ({ page }) => {
  await openApp(page, '?backend=wasm&model=resnet34');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-model', 'resnet34');
  await expect(page.getByTestId('variant-select')).toHaveValue('resnet34');
  await addImages(page, fixture('astronaut.jpg'));
  const preds = await predictionsOf(page, 'astronaut.jpg', 'resnet34');
  expect(preds).toHaveLength(5);
  expectDescendingProbabilities(preds);
});

test('the backend setting overrides the automatic choice, restarts the engine and keeps the answers', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await openApp(page);
  const backend = page.getByTestId('backend');
  // Whichever backend auto chose on this machine (WASM on software WebGL, WebGL on a GPU), the other one is set.
  await expect(backend).toHaveAttribute('data-backend', /^(wasm|webgl)$/);
  const chosen = await backend.getAttribute('data-backend');
  const other = chosen === 'webgl' ? 'wasm' : 'webgl';
  await addImages(page, fixture('coffee.jpg'));
  const onChosen = await predictionsOf(page, 'coffee.jpg', 'resnet18');

  await page.getByTestId('backend-select').selectOption(other);
  await expect(backend).toHaveAttribute('data-backend', other, { timeout: 120_000 });
  await expect(backend).toHaveAttribute('data-requested', other);
  await expect(page.getByTestId('backend-reason')).toHaveCount(0);
  await expectModelReady(page, 'resnet18');
  expect(new URL(page.url()).searchParams.get('backend')).toBe(other);
  // Same seeded weights on another backend: the re-classified card agrees to float precision.
  const onOther = await predictionsOf(page, 'coffee.jpg', 'resnet18');
  expect(onOther.map((p) => p.classIndex)).toEqual(onChosen.map((p) => p.classIndex));
  onOther.forEach((p, i) => expect(Math.abs(p.probability - onChosen[i]!.probability)).toBeLessThan(1e-3));

  // The override survives a reload through the URL.
  await page.reload();
  await expectModelReady(page, 'resnet18');
  await expect(page.getByTestId('backend-select')).toHaveValue(other);
  await expect(backend).toHaveAttribute('data-backend', other);
});
