/**
 * Accessibility, dark mode and phone screens: axe finds no serious or critical WCAG 2.1 A/AA problem with results,
 * Look inside and an explanation open, in either theme; everything works from the keyboard alone; and on a
 * 390x844 touch screen nothing scrolls sideways and every control can be reached and used.
 */
import type { Locator, Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { expectNoSeriousViolations } from './axe';
import { fixture, openApp, predictionsOf, resultFor } from './helpers';
import { expect, test } from './test';

const PHOTO = 'chelsea.jpg';
/** Where to leave screenshots for a person to look at (both themes, desktop and phone); none when unset. */
const SHOTS = process.env.SHOTS_DIR;

async function shot(target: Page | Locator, name: string, { fullPage = true } = {}): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name);
  if ('goto' in target) await target.screenshot({ path: file, fullPage });
  else await target.screenshot({ path: file });
}

/** The page's percentage in words, by its own rule: one decimal from 10 %, two below (untrained nets are unsure). */
function spoken(p: number): string {
  const pct = p * 100;
  const digits = pct >= 10 ? pct.toFixed(1) : pct >= 0.01 ? pct.toFixed(2) : pct.toExponential(1);
  return `${digits} percent`;
}

/** Presses Tab (or Shift+Tab) until `target` has the focus: the way a keyboard user gets there. */
async function tabTo(page: Page, target: Locator, { back = false, max = 60 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} did not reach ${target.toString()}`);
}

/** A checksum of a canvas' pixels, to tell two drawings apart. */
const checksum = (canvas: Locator) =>
  canvas.evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4)
      sum = (sum * 31 + data[i]! + data[i + 1]! * 7 + data[i + 2]! * 13) >>> 0;
    return sum;
  });

/** The page's own background colour (the root's), as the browser computed it. */
const pageBackground = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

async function openLookInside(page: Page): Promise<Locator> {
  await resultFor(page, PHOTO).getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  return panel;
}

/** CAM at the last stage: the cheapest explanation, enough to put a map in the Explain panel. */
async function explainWithCam(panel: Locator): Promise<void> {
  const explain = panel.getByTestId('explain');
  await explain.getByTestId('explain-method').selectOption('cam');
  await explain.getByTestId('explain-run').click();
  await expect(explain.locator('[data-testid="explain-map"][data-state="done"]')).toHaveCount(1, {
    timeout: 120_000,
  });
}

test("axe finds no serious problem in the system's dark theme or the toggle's light one, which is remembered", async ({
  page,
}) => {
  // Reduced motion also keeps axe from measuring a colour halfway through a theme change's transition.
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await openApp(page);
  const transition = await page
    .getByTestId('dropzone')
    .evaluate((el) => parseFloat(getComputedStyle(el).transitionDuration));
  expect(transition, 'no transitions with reduced motion').toBeLessThan(0.001);
  const toggle = page.getByTestId('theme-toggle');
  const root = page.locator('html');
  // With no choice made, the page follows the system, also as it changes.
  await expect(toggle).toHaveAttribute('data-theme', 'dark');
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(toggle).toHaveAttribute('data-theme', 'light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(toggle).toHaveAttribute('data-theme', 'dark');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  const dark = await pageBackground(page);

  await page.getByTestId('image-input').setInputFiles(fixture(PHOTO));
  await predictionsOf(page, PHOTO, 'resnet18');
  await expectNoSeriousViolations(page, 'dark theme, results');
  const panel = await openLookInside(page);
  await expectNoSeriousViolations(page, 'dark theme, Look inside (feature maps, CAM)');
  await explainWithCam(panel);
  await expectNoSeriousViolations(page, 'dark theme, Explain panel with a map');
  await shot(page, 'desktop-dark.png');

  // The toggle overrides the system's dark...
  await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme', 'light');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(root).toHaveAttribute('data-theme', 'light');
  const light = await pageBackground(page);
  expect(light, 'the page itself changes colour').not.toBe(dark);
  await expectNoSeriousViolations(page, 'light theme, results, Look inside and Explain panel with a map');
  await shot(page, 'desktop-light.png');
  await panel.getByRole('button', { name: 'Close the feature maps' }).click();
  await expect(panel).toHaveCount(0);
  await expectNoSeriousViolations(page, 'light theme, results');

  // ...and is remembered: after a reload the system still says dark, the page stays light.
  await page.reload();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'light');
  await expect(root).toHaveAttribute('data-theme', 'light');
  expect(await pageBackground(page)).toBe(light);
});

test('everything from the keyboard alone: open a photo, Look inside, a class map, the colour map, the tiles', async ({
  page,
}) => {
  await openApp(page);
  const dropzone = page.getByTestId('dropzone');
  await tabTo(page, dropzone);
  await expect(dropzone, 'a visible focus ring').toHaveCSS('outline-style', 'solid');
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(fixture(PHOTO));
  const preds = await predictionsOf(page, PHOTO, 'resnet18');

  // Read out well: "1. tabby, 63.1 percent", and the finished classification is announced.
  const card = resultFor(page, PHOTO);
  const [first, second] = [preds[0]!, preds[1]!];
  await expect(card.getByRole('button', { name: /^1\. / })).toHaveAccessibleName(
    `1. ${first.label}, ${spoken(first.probability)}`,
  );
  await expect(card.getByRole('button', { name: /^2\. / })).toHaveAccessibleName(
    `2. ${second.label}, ${spoken(second.probability)}`,
  );
  await expect(page.getByRole('status').and(page.getByTestId('announcer'))).toHaveText(
    `${PHOTO}: ${first.label}, ${spoken(first.probability)}`,
  );

  const lookInside = card.getByTestId('inspect-button');
  await tabTo(page, lookInside);
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(lookInside).toHaveAttribute('aria-pressed', 'true');

  // The second class's map.
  const overlay = panel.getByTestId('cam-overlay');
  await expect(overlay).toHaveAttribute('data-class-index', String(first.classIndex));
  const secondClass = panel.locator(`[data-testid="cam-class"][data-class-index="${second.classIndex}"]`);
  await tabTo(page, secondClass);
  await page.keyboard.press('Enter');
  await expect(overlay).toHaveAttribute('data-class-index', String(second.classIndex));
  await expect(secondClass).toHaveAttribute('aria-pressed', 'true');

  // The colour map: back to its select, the next one down is cividis.
  const colormap = panel.getByTestId('fm-colormap');
  const stem = panel.locator('[data-testid="feature-map"][data-stage="stem"]');
  const before = await checksum(stem);
  await tabTo(page, colormap, { back: true });
  await page.keyboard.press('ArrowDown');
  await expect(colormap).toHaveValue('cividis');
  await expect(colormap.locator('option:checked')).toHaveText('cividis (colour-blind safe)');
  await expect.poll(() => checksum(stem)).not.toBe(before);

  // The tiles: two right and one down is tile 10 of the stem's 8 columns; Enter enlarges it.
  await tabTo(page, stem);
  await expect(stem, 'a visible focus ring').toHaveCSS('outline-style', 'solid');
  const status = panel.locator('[data-testid="atlas-cursor"]').first();
  await expect(status).toHaveText(/^Channel 0 \(tile 1 of 64\): min .* max .* mean/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await expect(status).toHaveText(/^Channel 10 \(tile 11 of 64\)/);
  await expect(panel.locator('.atlas__mark--cursor')).toBeVisible();
  await shot(stem.locator('xpath=ancestor::figure[1]'), 'desktop-keyboard-tile.png');
  await page.keyboard.press('Enter');
  const zoom = panel.getByTestId('tile-zoom');
  await expect(zoom).toHaveAttribute('data-stage', 'stem');
  await expect(zoom).toHaveAttribute('data-channel', '10');
  await expect(status).toHaveText(/^Channel 10 \(tile 11 of 64, enlarged\)/);

  // The zone is a button now, and still takes a drop; the page still takes a paste.
  const bytes = readFileSync(fixture('coffee.jpg')).toString('base64');
  const files = await page.evaluateHandle((b64) => {
    const make = (name: string) => {
      const dt = new DataTransfer();
      dt.items.add(
        new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: 'image/jpeg' }),
      );
      return dt;
    };
    return { dropped: make('dropped.jpg'), pasted: make('pasted.jpg') };
  }, bytes);
  await dropzone.dispatchEvent('drop', { dataTransfer: await files.evaluateHandle((f) => f.dropped) });
  await page.evaluate((f) => {
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: f.pasted }));
  }, files);
  await predictionsOf(page, 'dropped.jpg', 'resnet18');
  await predictionsOf(page, 'pasted.jpg', 'resnet18');
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('nothing scrolls sideways; taps open the picker, enlarge a tile and move the opacity slider', async ({
    page,
  }) => {
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth);
    await openApp(page);
    expect(await overflow()).toBeLessThanOrEqual(390);

    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('dropzone').tap();
    await (await chooser).setFiles(fixture(PHOTO));
    await predictionsOf(page, PHOTO, 'resnet18');
    await resultFor(page, PHOTO).getByTestId('inspect-button').tap();
    const panel = page.getByTestId('feature-maps');
    await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
    await explainWithCam(panel);
    await expect.poll(overflow).toBeLessThanOrEqual(390);

    // Every panel lies within the screen's width; the settings' panels once their button has opened them.
    await page.getByTestId('settings-toggle').tap();
    for (const region of [
      page.getByRole('region', { name: 'Model', exact: true }),
      page.getByRole('region', { name: 'Weights' }),
      page.getByRole('region', { name: 'Model summary' }),
      page.getByRole('region', { name: 'Results' }),
      panel,
      panel.getByTestId('explain'),
    ]) {
      const box = (await region.boundingBox())!;
      expect(box.x, region.toString()).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, region.toString()).toBeLessThanOrEqual(390);
    }
    // The widest atlas scrolls within its stage instead.
    const layer4 = panel.locator('[data-testid="feature-map"][data-stage="layer4"]');
    const scroller = layer4.locator('xpath=ancestor::*[contains(@class, "stage__scroll")]');
    const widths = await scroller.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(widths[0]!, 'layer4 keeps tiles a finger can hit, and scrolls').toBeGreaterThan(widths[1]!);

    // A tap on a tile enlarges it (the stem's first tile: channel 0).
    const stem = panel.locator('[data-testid="feature-map"][data-stage="stem"]');
    await stem.scrollIntoViewIfNeeded();
    await stem.tap({ position: { x: 8, y: 8 } });
    const zoom = panel.getByTestId('tile-zoom');
    await expect(zoom).toHaveAttribute('data-stage', 'stem');
    await expect(zoom).toHaveAttribute('data-channel', '0');
    await expect.poll(overflow).toBeLessThanOrEqual(390);

    // A tap near the slider's right end moves the heat map's opacity there.
    const slider = panel.getByTestId('cam-opacity');
    await slider.scrollIntoViewIfNeeded();
    await expect(slider).toHaveValue('0.5');
    const box = (await slider.boundingBox())!;
    await page.touchscreen.tap(box.x + box.width * 0.9, box.y + box.height / 2);
    await expect.poll(async () => Number(await slider.inputValue())).toBeGreaterThan(0.7);
    await expect(panel.getByTestId('cam-overlay')).toHaveCSS('opacity', await slider.inputValue());

    await shot(page, 'phone-light.png');
    await panel.evaluate((el) => el.scrollIntoView());
    await shot(page, 'phone-light-inside.png', { fullPage: false });
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect.poll(overflow).toBeLessThanOrEqual(390);
    await shot(page, 'phone-dark.png');
    await shot(page, 'phone-dark-inside.png', { fullPage: false });
  });
});
