/**
 * A phone user's first screen (issue #29): the drop zone and the camera are on it, under a compact model bar whose
 * other settings open on demand; the keyboard and screen readers meet them in that order, and wide screens keep
 * their settings column.
 */
import type { Page } from '@playwright/test';

import { expectNoSeriousViolations } from './axe';
import { fixture, openApp, predictionsOf, resultFor } from './helpers';
import { expect, test } from './test';

const PHONE = { width: 390, height: 844 };
/** The first screen of a 390x844 phone, less the browser's own bars. */
const FIRST_SCREEN = 800;
/** Controls that live in the settings (behind "More settings" on a phone). */
const SETTINGS = [
  'topk-input',
  'backend-select',
  'compare-toggle',
  'weights-url',
  'export-model',
  'copy-link',
];

/** What has the focus, by its test id (or its tag and name when it has none). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return (
      el.getAttribute('data-testid') ??
      `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30)}`
    );
  });

/** Tabs from the page's title until `stop` has the focus; returns every stop on the way, in order. */
async function tabOrder(page: Page, stop: string, max = 40): Promise<string[]> {
  // A click on the title (not a control) puts the start of the next Tab there, as a user's tap would.
  await page.getByRole('heading', { level: 1 }).click();
  const order: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    order.push(await focused(page));
    if (order.at(-1) === stop) return order;
  }
  throw new Error(`${max} presses of Tab did not reach ${stop}: ${order.join(', ')}`);
}

test.describe('on a phone', () => {
  test.use({ viewport: PHONE, hasTouch: true, isMobile: true });

  test('the drop zone and the camera are on the first screen; the settings open on demand', async ({
    page,
  }) => {
    await openApp(page);
    const top = async (testId: string) => (await page.getByTestId(testId).boundingBox())!.y;
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    expect(await top('dropzone'), 'the drop zone').toBeLessThan(FIRST_SCREEN);
    expect(await top('camera-start'), 'the camera button').toBeLessThan(FIRST_SCREEN);
    // The bar keeps the model and its status in sight, above the drop zone.
    await expect(page.getByTestId('variant-select')).toBeVisible();
    await expect(page.getByTestId('model-status')).toBeVisible();
    expect(await top('model-status')).toBeLessThan(await top('dropzone'));

    const toggle = page.getByTestId('settings-toggle');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    for (const id of SETTINGS.slice(0, 3)) await expect(page.getByTestId(id)).toBeHidden();
    await expect(page.getByRole('region', { name: 'Weights' })).toBeHidden();

    await toggle.tap();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const controlled = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    for (const id of SETTINGS.slice(0, 3)) await expect(controlled.getByTestId(id)).toBeVisible();
    await expect(controlled.getByRole('region', { name: 'Weights' })).toBeVisible();
    await expect(controlled.getByRole('region', { name: 'Model summary' })).toBeVisible();
    // Open, they come between the bar and the drop zone, as in the page's order.
    expect(await top('backend-select')).toBeGreaterThan(await top('settings-toggle'));
    expect(await top('backend-select')).toBeLessThan(await top('dropzone'));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // A setting changed there holds after closing: top-k 3 is still 3 when opened again.
    await page.getByTestId('topk-input').fill('3');
    await toggle.tap();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByTestId('topk-input')).toBeHidden();
    await toggle.tap();
    await expect(page.getByTestId('topk-input')).toHaveValue('3');
  });

  test('Tab reaches the drop zone and the camera before the settings, which follow their button when open', async ({
    page,
  }) => {
    await openApp(page);
    const closed = await tabOrder(page, 'camera-start');
    expect(closed.slice(-2), 'the camera right after the drop zone').toEqual(['dropzone', 'camera-start']);
    expect(closed.indexOf('variant-select')).toBeLessThan(closed.indexOf('dropzone'));
    for (const id of SETTINGS) expect(closed, `${id} is not on the way to the drop zone`).not.toContain(id);
    // Enter on the focused zone opens the picker (the file input itself is out of the tab order).
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('dropzone');
    await page.keyboard.press('Enter');
    expect((await chooser).isMultiple()).toBe(true);

    await page.getByTestId('settings-toggle').tap();
    const open = await tabOrder(page, 'dropzone', 80);
    const toggleAt = open.indexOf('settings-toggle');
    expect(toggleAt).toBeGreaterThan(open.indexOf('variant-select'));
    for (const id of ['backend-select', 'topk-input', 'compare-toggle'])
      expect(open.indexOf(id), `${id} after its button, before the drop zone`).toBeGreaterThan(toggleAt);
  });

  test('a photo picked from the drop zone shows its card without a scroll by hand', async ({ page }) => {
    await openApp(page);
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('dropzone').tap();
    await (await chooser).setFiles(fixture('chelsea.jpg'));
    // Whole once classified (it grows as its answer comes in).
    await predictionsOf(page, 'chelsea.jpg', 'resnet18');
    await expect(resultFor(page, 'chelsea.jpg')).toBeInViewport({ ratio: 1 });
  });

  test('axe finds no serious problem on a phone, settings closed and open, light and dark', async ({
    page,
  }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await openApp(page);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
      const toggle = page.getByTestId('settings-toggle');
      await expectNoSeriousViolations(page, `phone, ${scheme}, settings closed`);
      await toggle.tap();
      await expectNoSeriousViolations(page, `phone, ${scheme}, settings open`);
      await toggle.tap();
    }
  });
});

test('a wide screen keeps its settings column, met before the drop zone; a turned tablet keeps what was typed', async ({
  page,
}) => {
  await openApp(page);
  await expect(page.getByTestId('settings-toggle')).toHaveCount(0);
  const column = page.getByRole('complementary');
  for (const id of SETTINGS.slice(0, 3)) await expect(column.getByTestId(id)).toBeVisible();
  const dropzone = (await page.getByTestId('dropzone').boundingBox())!;
  const sidebar = (await column.boundingBox())!;
  expect(sidebar.x + sidebar.width, 'the settings beside the drop zone').toBeLessThanOrEqual(dropzone.x);
  const order = await tabOrder(page, 'dropzone', 80);
  for (const id of ['variant-select', 'topk-input', 'backend-select', 'compare-toggle'])
    expect(order, `${id} before the drop zone`).toContain(id);

  // Across the width the weights panel stays the same panel: a half-typed address survives the turn both ways.
  const address = 'https://example.org/model.safetensors';
  await page.getByTestId('weights-url').fill(address);
  await page.setViewportSize(PHONE);
  await expect(page.getByTestId('settings-toggle')).toBeVisible();
  await page.getByTestId('settings-toggle').click();
  await expect(page.getByTestId('weights-url')).toHaveValue(address);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await expect(page.getByTestId('settings-toggle')).toHaveCount(0);
  await expect(page.getByTestId('weights-url')).toHaveValue(address);
});
