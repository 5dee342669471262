// `npm run soak`: one page session of the production build doing 1,000 classifications, 50 Look-insides,
// 20 variant switches, 10 weights loads and 2 worker deaths; then the engine's tensors and bytes must be the
// seeded ResNet18's own again, and the page heap after clear-all within 10 MiB of its start. Prints the figures
// (they go in docs/hardening.md, "Soak") and exits 1 if anything grew. Not in CI: it takes several minutes.
// Options: --port 4185 --classifications 1000
import { chromium } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startPreviewServer } from './previewServer.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const port = Number(opt('port', 4185));
const classifications = Number(opt('classifications', 1000));
const WEIGHTS = path.join(ROOT, 'test-fixtures', 'reference', 'resnet18.safetensors');
const PHOTOS = ['chelsea.jpg', 'coffee.jpg', 'astronaut.jpg', 'rocket.jpg', 'chelsea-256.png'];
const HEAP_LIMIT = 10 * 2 ** 20;

for (const needed of [path.join(ROOT, 'dist', 'index.html'), WEIGHTS]) {
  if (!existsSync(needed)) {
    console.error(`missing ${needed}: run \`npm run build\` and scripts/make_reference.py first`);
    process.exit(1);
  }
}

const { base } = await startPreviewServer(ROOT, port);

const dir = mkdtempSync(path.join(tmpdir(), 'soak-'));
const photo = (i) => {
  const name = PHOTOS[i % PHOTOS.length];
  const file = path.join(dir, `${i}-${name}`);
  if (!existsSync(file)) writeFileSync(file, readFileSync(path.join(ROOT, 'e2e', 'fixtures', name)));
  return file;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: JSON.parse(readFileSync(path.join(ROOT, 'e2e', 'chromium-args.json'), 'utf8')),
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const started = Date.now();
const log = (msg) => console.log(`${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s  ${msg}`);

const attr = (testId, name) => page.getByTestId(testId).getAttribute(name);
async function waitFor(check, what, timeoutMs = 600_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const ready = (variant) =>
  waitFor(
    async () =>
      (await attr('model-status', 'data-state')) === 'ready' &&
      (!variant || (await attr('model-status', 'data-model')) === variant),
    `${variant ?? 'the model'} ready`,
  );
const engineMemory = async () => ({
  tensors: Number(await attr('backend', 'data-num-tensors')),
  bytes: Number(await attr('backend', 'data-num-bytes')),
});
async function heap() {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}
const countDone = () =>
  page
    .locator('[data-testid="result"][data-status="done"], [data-testid="result"][data-status="error"]')
    .count();
async function classify(files) {
  await page.getByTestId('image-input').setInputFiles(files);
  await waitFor(async () => (await countDone()) === files.length, `${files.length} results`);
}
const clearAll = async () => {
  if ((await page.getByTestId('result').count()) === 0) return;
  await page.getByTestId('clear-all').click();
  await waitFor(async () => (await page.getByTestId('result').count()) === 0, 'clear-all');
};
async function killWorker() {
  const worker = page.workers().find((w) => w.url().includes('inference.worker'));
  await worker.evaluate(() => self.close()).catch(() => undefined);
  await waitFor(async () => (await attr('model-status', 'data-state')) === 'loading', 'the restart');
  await ready();
}

await page.goto(`${base}/?model=resnet18`);
await ready('resnet18');
const memoryBefore = await engineMemory();
const heapBefore = await heap();
log(
  `ready: ${memoryBefore.tensors} tensors, ${(memoryBefore.bytes / 2 ** 20).toFixed(1)} MiB; heap ${(heapBefore / 2 ** 20).toFixed(1)} MiB`,
);

let classified = 0;
let inspected = 0;
for (let round = 0; classified < classifications; round++) {
  const n = Math.min(100, classifications - classified);
  await classify(Array.from({ length: n }, (_, i) => photo(classified + i)));
  classified += n;
  // Five Look-insides per round of 100, on cards across the grid.
  for (let k = 0; k < 5 && inspected < 50; k++, inspected++) {
    await page
      .getByTestId('inspect-button')
      .nth(k * 19)
      .click();
    await waitFor(async () => (await attr('feature-maps', 'data-status')) === 'ready', 'Look inside');
  }
  if (round === 3 || round === 7) {
    await killWorker();
    log(`worker killed and restarted (round ${round})`);
  }
  await clearAll();
  log(`${classified} classified, ${inspected} Look-insides`);
}

for (let i = 0; i < 10; i++) {
  await page.getByTestId('variant-select').selectOption('resnet34');
  await ready('resnet34');
  await page.getByTestId('variant-select').selectOption('resnet18');
  await ready('resnet18');
}
log('20 variant switches');
for (let i = 0; i < 10; i++) {
  await page.getByTestId('weights-input').setInputFiles(WEIGHTS);
  await waitFor(async () => (await attr('weights-info', 'data-source')) === 'file', 'weights loaded');
  await page.getByTestId('variant-select').selectOption('resnet34');
  await ready('resnet34');
  await page.getByTestId('variant-select').selectOption('resnet18');
  await ready('resnet18');
}
log('10 weights loads');

await clearAll();
await waitFor(async () => (await attr('weights-info', 'data-source')) === 'random', 'seeded ResNet18');
const memoryAfter = await engineMemory();
const heapAfter = await heap();
await browser.close();

const flat = memoryAfter.tensors === memoryBefore.tensors && memoryAfter.bytes === memoryBefore.bytes;
const heapGrowth = heapAfter - heapBefore;
console.log(
  `\nsoak (${classified} classifications, ${inspected} Look-insides, 20 variant switches, 10 weights loads, ` +
    `2 worker deaths) in ${((Date.now() - started) / 60000).toFixed(1)} min:\n` +
    `  engine: ${memoryBefore.tensors} -> ${memoryAfter.tensors} tensors, ` +
    `${memoryBefore.bytes} -> ${memoryAfter.bytes} bytes (${flat ? 'flat' : 'GREW'})\n` +
    `  page heap after clear-all: ${(heapBefore / 2 ** 20).toFixed(1)} -> ${(heapAfter / 2 ** 20).toFixed(1)} MiB ` +
    `(${heapGrowth <= HEAP_LIMIT ? 'within' : 'OVER'} 10 MiB)`,
);
process.exit(flat && heapGrowth <= HEAP_LIMIT ? 0 : 1);
