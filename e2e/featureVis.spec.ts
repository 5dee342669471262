/**
 * Feature visualization in Look inside (issue #27), on the seeded ResNet18: a channel from an enlarged tile, the
 * picture growing while it runs, Cancel, the same seed giving the same picture, the PNG and JSON exports, and the
 * tensor count back at the model's own. Few steps, to keep it short.
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';

import { expectNoSeriousViolations } from './axe';
import { expect, test } from './test';
import { addImages, fixture, numTensors, openApp, predictionsOf, resultFor } from './helpers';

const STEPS = 8;

/** A checksum of the canvas's pixels, to tell pictures apart and find two the same. */
function pixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let checksum = 0;
    for (let i = 0; i < data.length; i++) checksum = (checksum * 31 + data[i]!) >>> 0;
    return checksum;
  });
}

const stepsShown = async (image: Locator) => Number(await image.getAttribute('data-steps'));

async function setRun(panel: Locator, steps: number, seed: number): Promise<void> {
  // The smallest picture: the cheapest step.
  await panel.getByTestId('featvis-size').selectOption('96');
  await panel.getByTestId('featvis-steps').fill(String(steps));
  await panel.getByTestId('featvis-seed').fill(String(seed));
  await panel.getByTestId('featvis-run').click();
}

async function enlargeLayer4Tile(page: Page): Promise<Locator> {
  await resultFor(page, 'chelsea.jpg').getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await panel
    .locator('[data-testid="feature-map"][data-stage="layer4"]')
    .click({ position: { x: 20, y: 4 } });
  await expect(panel.getByTestId('tile-zoom')).toHaveAttribute('data-stage', 'layer4');
  return panel;
}

test('a channel from an enlarged tile: live picture, cancel, same seed same picture, export', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openApp(page);
  await addImages(page, fixture('chelsea.jpg'));
  await predictionsOf(page, 'chelsea.jpg', 'resnet18');
  const panel = await enlargeLayer4Tile(page);
  const channel = await panel.getByTestId('tile-zoom').getAttribute('data-channel');
  await panel.getByTestId('featvis-channel').click();
  const vis = panel.getByTestId('featvis');
  await expect(vis.getByTestId('featvis-estimate')).toContainText('not known yet');

  const image = vis.getByTestId('featvis-image');
  /** Runs STEPS steps with seed 7 to the end: the picture's pixels. */
  const finish = async () => {
    await setRun(vis, STEPS, 7);
    await expect(image).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(image).toHaveAttribute('data-steps', String(STEPS));
    await expect(image).toHaveAttribute('data-target', `layer4:${channel}`);
    expect(Number(await image.getAttribute('data-activation'))).not.toBeNaN();
    return pixels(image);
  };
  const first = await finish();
  // The first gradient pass made the kernels the model keeps from then on (as explanations do): its own count.
  await expect.poll(() => numTensors(page)).toBeGreaterThan(0);
  const baseline = await numTensors(page);
  // The finished run measured a step: the next run's time is estimated before it starts.
  await expect(vis.getByTestId('featvis-estimate')).toContainText(/Expected: about \d+ s/);
  await expectNoSeriousViolations(page, 'feature visualization, done');

  // A long run, watched as it grows, then cancelled.
  await setRun(vis, 48, 5);
  await expect(image).toHaveAttribute('data-state', 'running');
  await expect.poll(() => stepsShown(image)).toBeGreaterThan(0);
  const early = { steps: await stepsShown(image), pixels: await pixels(image) };
  await expect.poll(() => stepsShown(image)).toBeGreaterThan(early.steps);
  expect(await pixels(image)).not.toBe(early.pixels);
  await expect(vis.getByTestId('featvis-progress')).toBeVisible();
  await vis.getByTestId('featvis-cancel').click();
  await expect(image).toHaveAttribute('data-state', 'cancelled');
  await expect.poll(() => numTensors(page)).toBe(baseline);

  // The same seed again: the same picture, and nothing left behind.
  expect(await finish()).toBe(first);
  await expect.poll(() => numTensors(page)).toBe(baseline);

  const [png] = await Promise.all([
    page.waitForEvent('download'),
    vis.getByTestId('featvis-export-png').click(),
  ]);
  expect(png.suggestedFilename()).toBe(`resnet18-featvis-layer4-${channel}-96px-${STEPS}steps-seed7.png`);
  const bytes = readFileSync((await png.path())!);
  expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    vis.getByTestId('featvis-export-json').click(),
  ]);
  const report = JSON.parse(readFileSync((await json.path())!, 'utf8')) as Record<string, unknown>;
  expect(report).toMatchObject({
    objective: { kind: 'channel mean', stage: 'layer4', channel: Number(channel) },
    settings: { steps: STEPS, seed: 7, size: 96 },
    finalValue: Number(await image.getAttribute('data-activation')),
  });
  test.info().annotations.push({
    type: 'timing',
    description: `${STEPS} steps in ${report.totalMs} ms, ${report.medianStepMs} ms a step (median)`,
  });
});
