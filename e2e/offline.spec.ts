/**
 * The app as a PWA: after one visit it opens and classifies with no network, still cross-origin isolated and
 * on threaded WASM; a new build is announced and installed only when the user accepts.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { securityHeaders } from '../build/securityHeaders';
import { E2E_DIST } from '../playwright.config';
import { addImages, expectModelReady, expectResNet50Stored, fixture, predictionsOf } from './helpers';
import { expect, test } from './test';

// Every other spec blocks service workers (playwright.config.ts), so that a cached page never hides a change.
test.use({ serviceWorkers: 'allow' });

const TABBY_LIKE = [281, 282, 285];

test('after one visit, a reload with no network opens the app isolated on threaded WASM, and ResNet50, 18 and 34 classify', async ({
  page,
  context,
}) => {
  test.setTimeout(600_000);
  const policyViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) policyViolations.push(m.text());
  });
  await page.goto('/');
  await expectModelReady(page, 'resnet50');
  await expectResNet50Stored(page);
  // Active means installed, and installing is precaching the whole app shell.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });

  await context.setOffline(true);
  await page.reload();
  await expectModelReady(page, 'resnet50');
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'served by the worker').toBe(
    true,
  );
  expect(
    await page.evaluate(() =>
      fetch('/models/resnet50/group1-shard1of25.bin', { cache: 'no-store' }).then(
        () => 'online',
        () => 'offline',
      ),
    ),
    'the network really is gone',
  ).toBe('offline');
  expect(await page.evaluate(() => crossOriginIsolated), 'isolated when served from the cache').toBe(true);
  const backend = page.getByTestId('backend');
  await expect(backend).toHaveAttribute('data-backend', 'wasm');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(backend).toHaveAttribute('data-threads', String(cores));

  await addImages(page, fixture('chelsea.jpg'));
  const [top1] = await predictionsOf(page, 'chelsea.jpg', 'resnet50');
  expect(TABBY_LIKE, `ResNet50 offline said ${top1!.label}`).toContain(top1!.classIndex);

  for (const variant of ['resnet18', 'resnet34']) {
    await page.getByTestId('variant-select').selectOption(variant);
    await expectModelReady(page, variant);
    const predictions = await predictionsOf(page, 'chelsea.jpg', variant);
    expect(predictions.length).toBeGreaterThan(0);
  }
  expect(policyViolations).toEqual([]);
});

/** A static host for a build folder that can be swapped for another, as a deploy does. */
function swappableHost(): { server: Server; serve: (dir: string) => void; url: Promise<string> } {
  let root = '';
  const headers = securityHeaders();
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.wasm': 'application/wasm',
    '.json': 'application/json',
    '.webmanifest': 'application/manifest+json',
    '.png': 'image/png',
    '.svg': 'image/svg+xml',
  };
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': types[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  });
  const url = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );
  return { server, serve: (dir) => (root = path.resolve(dir)), url };
}

test('a new build is announced as "update available" and replaces the running one only when accepted', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const secondBuild = mkdtempSync(path.join(tmpdir(), 'resnet-lens-next-'));
  const host = swappableHost();
  try {
    execFileSync(
      'npx',
      ['vite', 'build', '--mode', 'e2e', '--outDir', secondBuild, '--emptyOutDir', '--logLevel', 'warn'],
      { env: { ...process.env, APP_VERSION: 'next-build' }, stdio: 'inherit' },
    );
    host.serve(E2E_DIST);
    const origin = await host.url;
    await page.goto(`${origin}/?model=resnet18`);
    const version = page.getByTestId('app-version');
    const runningVersion = await version.textContent();
    expect(runningVersion).not.toBe('next-build');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });

    host.serve(secondBuild);
    await page.reload();
    // The old version keeps running until the user says otherwise.
    await expect(page.getByTestId('update-available')).toBeVisible({ timeout: 60_000 });
    await expect(version).toHaveText(runningVersion!);
    await page.getByTestId('update-available').getByRole('button', { name: 'Update now' }).click();
    await expect(version).toHaveText('next-build', { timeout: 60_000 });
    await expect(page.getByTestId('update-available')).toHaveCount(0);
    await expectModelReady(page, 'resnet18');
  } finally {
    host.server.close();
    rmSync(secondBuild, { recursive: true, force: true });
  }
});
