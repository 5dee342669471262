import { expect, test } from './test';
import type { Locator, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  addImages,
  expectModelReady,
  fixture,
  numTensors,
  openApp,
  photoFiles,
  predictionsOf,
  resultFor,
} from './helpers';

const REFERENCE = path.resolve(path.dirname(fixture('x')), '..', '..', 'test-fixtures', 'reference');

const STAGES = [
  ['stem', '56x56x64', '64'],
  ['layer1', '56x56x64', '64'],
  ['layer2', '28x28x128', '128'],
  ['layer3', '14x14x256', '256'],
  ['layer4', '7x7x512', '512'],
];

/** Pixel facts of a canvas: its size, how many distinct colours, and a checksum to tell drawings apart. */
function canvasFacts(canvas: Locator) {
  return canvas.evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set<number>();
    let checksum = 0;
    for (let i = 0; i < data.length; i += 4) {
      const v = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      colours.add(v);
      checksum = (checksum * 31 + v) >>> 0;
    }
    return { width: c.width, height: c.height, colours: colours.size, checksum };
  });
}

async function inspect(page: Page, fileName: string) {
  await resultFor(page, fileName).getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  return panel;
}

test("a classified photo shows its input, every stage's feature maps, and a class activation map per class", async ({
  page,
}) => {
  await openApp(page);
  await addImages(page, fixture('chelsea.jpg'));
  const preds = await predictionsOf(page, 'chelsea.jpg', 'resnet18');
  const panel = await inspect(page, 'chelsea.jpg');
  // The crop decoded for the classification is reused: the image is decoded once.
  await expect(panel).toHaveAttribute('data-decoded', 'false');

  const maps = panel.getByTestId('feature-map');
  await expect(maps).toHaveCount(5);
  const attrs = await maps.evaluateAll((els) =>
    els.map((el) => [
      el.getAttribute('data-stage'),
      el.getAttribute('data-output-shape'),
      el.getAttribute('data-channels'),
    ]),
  );
  expect(attrs).toEqual(STAGES);
  // Every channel is a tile: 8x8 tiles of 56 px (+1 px gaps) for the stem ... 23x23 tiles of 7 px for layer4.
  const sizes = {
    stem: 8 * 57 - 1,
    layer1: 8 * 57 - 1,
    layer2: 12 * 29 - 1,
    layer3: 16 * 15 - 1,
    layer4: 23 * 8 - 1,
  };
  for (const [stage, width] of Object.entries(sizes)) {
    const facts = await canvasFacts(panel.locator(`[data-testid="feature-map"][data-stage="${stage}"]`));
    expect(facts.width, stage).toBe(width);
    expect(facts.colours, `${stage} is drawn, not blank`).toBeGreaterThan(50);
  }
  const input = await canvasFacts(panel.getByTestId('input-crop'));
  expect([input.width, input.height]).toEqual([224, 224]);
  expect(input.colours).toBeGreaterThan(1000);

  // The class activation map follows the class clicked.
  const overlay = panel.getByTestId('cam-overlay');
  await expect(overlay).toHaveAttribute('data-class-index', String(preds[0]!.classIndex));
  const firstCam = await canvasFacts(overlay);
  expect(firstCam.colours).toBeGreaterThan(20);
  await panel.locator(`[data-testid="cam-class"][data-class-index="${preds[1]!.classIndex}"]`).click();
  await expect(overlay).toHaveAttribute('data-class-index', String(preds[1]!.classIndex));
  await expect.poll(async () => (await canvasFacts(overlay)).checksum).not.toBe(firstCam.checksum);
  // Clicking a prediction on the card does the same.
  await resultFor(page, 'chelsea.jpg').getByTestId('prediction').nth(2).click();
  await expect(overlay).toHaveAttribute('data-class-index', String(preds[2]!.classIndex));

  await page.getByTestId('cam-opacity').fill('0.8');
  await expect(overlay).toHaveCSS('opacity', '0.8');

  // Colour map, normalization and channel order redraw the stages.
  const stem = panel.locator('[data-testid="feature-map"][data-stage="stem"]');
  const before = (await canvasFacts(stem)).checksum;
  await panel.getByTestId('fm-colormap').selectOption('magma');
  await expect.poll(async () => (await canvasFacts(stem)).checksum).not.toBe(before);
  const magma = (await canvasFacts(stem)).checksum;
  await panel.getByTestId('fm-normalization').selectOption('stage');
  await expect.poll(async () => (await canvasFacts(stem)).checksum).not.toBe(magma);
  const perStage = (await canvasFacts(stem)).checksum;
  await panel.getByTestId('fm-order').selectOption('mean');
  await expect.poll(async () => (await canvasFacts(stem)).checksum).not.toBe(perStage);

  // Hover names the channel; a click enlarges it next to the input.
  await stem.hover({ position: { x: 20, y: 20 } });
  await expect(panel.getByRole('tooltip')).toContainText(/channel \d+/);
  await expect(panel.getByRole('tooltip')).toContainText(/min .* max .* mean/);
  await stem.click({ position: { x: 20, y: 20 } });
  const zoom = panel.getByTestId('tile-zoom');
  await expect(zoom).toHaveAttribute('data-stage', 'stem');
  expect((await canvasFacts(zoom)).colours).toBeGreaterThan(20);

  await panel.screenshot({ path: test.info().outputPath('feature-maps-panel.png') });

  // Usable on a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(stem).toBeVisible();
});

test("with PyTorch's weights, per-stage activation statistics match PyTorch on WebGL to 1e-2", async ({
  page,
}) => {
  const ref = JSON.parse(readFileSync(path.join(REFERENCE, 'resnet18.reference.json'), 'utf8')) as {
    stages: Record<string, { mean: number; std: number }>;
  };
  await openApp(page);
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file', { timeout: 180_000 });
  await expectModelReady(page, 'resnet18');
  await addImages(page, fixture('chelsea-256.png'));
  await predictionsOf(page, 'chelsea-256.png', 'resnet18');
  const panel = await inspect(page, 'chelsea-256.png');
  for (const [stage] of STAGES) {
    const canvas = panel.locator(`[data-testid="feature-map"][data-stage="${stage}"]`);
    const mean = Number(await canvas.getAttribute('data-mean'));
    const std = Number(await canvas.getAttribute('data-std'));
    const want = ref.stages[stage!]!;
    expect(Math.abs(mean - want.mean) / Math.abs(want.mean), `${stage} mean`).toBeLessThan(1e-2);
    expect(Math.abs(std - want.std) / want.std, `${stage} std`).toBeLessThan(1e-2);
  }
});

test('the tensor count returns to its baseline after browsing the feature maps of 20 images', async ({
  page,
}) => {
  // 20 classifications and 20 inspections on software WebGL: minutes, not seconds, on a 2-core machine.
  test.setTimeout(720_000);
  await openApp(page);
  const files = photoFiles(20);
  await addImages(page, files);
  for (const f of files) await predictionsOf(page, f.name, 'resnet18');
  const baseline = await numTensors(page);
  for (const f of files) {
    const panel = await inspect(page, f.name);
    await expect(panel).toContainText(f.name);
  }
  expect(await numTensors(page)).toBe(baseline);
});
