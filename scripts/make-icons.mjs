/**
 * Renders public/icons/icon.svg into the PNG icons the web app manifest lists (192 and 512 px, and a maskable
 * 512 px one whose artwork sits inside the safe zone). Run after editing the SVG: `node scripts/make-icons.mjs`.
 */
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';

const svg = readFileSync(new URL('../public/icons/icon.svg', import.meta.url), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const page = await browser.newPage();
async function render(size, file, { maskable = false } = {}) {
  await page.setViewportSize({ width: size, height: size });
  // A maskable icon is cropped to a circle of 80% of its size by some launchers: full-bleed background, and the
  // artwork scaled into the middle.
  const inner = maskable ? size * 0.72 : size;
  const background = maskable ? '#151a2d' : 'transparent';
  await page.setContent(
    `<body style="margin:0;background:${background};display:grid;place-items:center;width:${size}px;height:${size}px">` +
      `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', '<svg width="100%" height="100%" ')}</div></body>`,
  );
  await page.screenshot({
    path: new URL(`../public/icons/${file}`, import.meta.url).pathname,
    omitBackground: !maskable,
  });
}
await render(192, 'icon-192.png');
await render(512, 'icon-512.png');
await render(512, 'icon-maskable-512.png', { maskable: true });
await browser.close();
