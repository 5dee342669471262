// Takes a screenshot of the running app (npm run preview) after loading weights and classifying photos.
// Usage: node scripts/screenshot.mjs [out.png] [--weights file] [--width 1400] [--height 1000] [photos...]
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';

const CHROMIUM_ARGS = JSON.parse(readFileSync(new URL('../e2e/chromium-args.json', import.meta.url), 'utf8'));

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const weights = opt('weights', null);
const width = Number(opt('width', 1400));
const height = Number(opt('height', 1000));
const url = opt('url', 'http://127.0.0.1:4173/');
const inspect = args.includes('--inspect') ? (args.splice(args.indexOf('--inspect'), 1), true) : false;
const [out = 'screenshot.png', ...photos] = args;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});
const page = await browser.newPage({ viewport: { width, height } });
await page.goto(url);
const ready = () =>
  page.waitForSelector('[data-testid="model-status"][data-state="ready"]', { timeout: 240_000 });
await ready();
if (weights) {
  await page.getByTestId('weights-input').setInputFiles(weights);
  await page.waitForSelector('[data-testid="weights-info"][data-source="file"]', { timeout: 240_000 });
  await ready();
}
if (photos.length) {
  await page.getByTestId('image-input').setInputFiles(photos);
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll(
        '[data-testid="result"][data-status="done"], [data-testid="result"][data-status="error"]',
      ).length >= n,
    photos.length,
    { timeout: 600_000 },
  );
}
if (inspect) {
  await page.getByTestId('inspect-button').first().click();
  await page.waitForSelector('[data-testid="feature-maps"][data-status="ready"]', { timeout: 240_000 });
  await page
    .getByTestId('feature-map')
    .nth(1)
    .click({ position: { x: 30, y: 30 } });
  await page
    .getByTestId('feature-map')
    .nth(2)
    .hover({ position: { x: 50, y: 40 } });
}
await page.screenshot({ path: out, fullPage: true });
await browser.close();
console.log(`wrote ${out}`);
