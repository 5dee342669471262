import { expect, test } from './test';
import type { ConsoleMessage, Page, Worker } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { cspDirectives, previewConnectSrc, serializeCsp } from '../build/securityHeaders';
import { E2E_DIST } from '../playwright.config';
import { addImages, fixture, openApp, predictionsOf, resultFor } from './helpers';

const ROOT = path.resolve(path.dirname(fixture('x')), '..', '..');
/** The production build, and the e2e flavour that the preview server serves to these tests. */
const DIST = path.join(ROOT, 'dist');
const SERVED = path.join(ROOT, E2E_DIST);
/** What the preview server adds for the e2e weights server (vite.config.ts); production lists none of it. */
const E2E_ORIGINS = previewConnectSrc();
const PRODUCTION_CSP = serializeCsp(cspDirectives());
const PREVIEW_CSP = serializeCsp(cspDirectives({ extraConnectSrc: E2E_ORIGINS }));

interface Violation {
  directive: string;
  blocked: string;
  source: string;
}

declare global {
  interface Window {
    __cspViolations?: Violation[];
  }
}

/**
 * Records every CSP violation: the page's on window, from before its first script runs; each worker's (the
 * inference worker and the WASM backend's pthread workers, where no init script runs) by a listener installed
 * as soon as Playwright sees the worker, which logs them to the console. Chromium's own "Refused to ..."
 * console errors are kept too. The worker's listener is in place before the engine starts TF.js (its imports
 * alone take longer), and the test ends by proving that both halves see a violation.
 */
async function watchViolations(page: Page): Promise<{ console: string[] }> {
  const logged: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (/Content.Security.Policy/i.test(message.text())) logged.push(message.text());
  });
  page.on('worker', (worker) => {
    // Not awaited: a pthread worker busy in WebAssembly may take its time to run it.
    void worker
      .evaluate(() =>
        self.addEventListener('securitypolicyviolation', (e) =>
          console.error(
            `Content-Security-Policy violation in a worker: ${e.effectiveDirective} ${e.blockedURI}`,
          ),
        ),
      )
      .catch(() => undefined);
  });
  await page.addInitScript(() => {
    const seen: Violation[] = [];
    window.__cspViolations = seen;
    window.addEventListener(
      'securitypolicyviolation',
      (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile }),
      true,
    );
  });
  return { console: logged };
}

const violationsIn = (page: Page) => page.evaluate(() => window.__cspViolations ?? null);

function expectSecurityHeaders(headers: Record<string, string>, what: string) {
  expect(headers['content-security-policy'], what).toBe(PREVIEW_CSP);
  expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy'], what).toBe('require-corp');
  expect(headers['x-content-type-options'], what).toBe('nosniff');
}

test('dist/_headers carries the production policy; the preview server adds only the e2e weights server', () => {
  const file = readFileSync(path.join(DIST, '_headers'), 'utf8');
  const lines = file.split('\n');
  expect(lines).toContain('/*');
  expect(lines).toContain(`  Content-Security-Policy: ${PRODUCTION_CSP}`);
  expect(lines).toContain('  Cross-Origin-Opener-Policy: same-origin');
  expect(lines).toContain('  Cross-Origin-Embedder-Policy: require-corp');
  expect(file).not.toMatch(/127\.0\.0\.1|localhost/);
  expect(PRODUCTION_CSP).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
  expect(PREVIEW_CSP.replace(` ${E2E_ORIGINS.join(' ')}`, '')).toBe(PRODUCTION_CSP);
  // The one page the build ships loads only module scripts from its own origin.
  const scripts = [...readFileSync(path.join(DIST, 'index.html'), 'utf8').matchAll(/<script\b[^>]*>/g)].map(
    (m) => m[0],
  );
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toMatch(/^<script type="module" crossorigin src="\/assets\//);
});

test('the production build ships no developer tool: no bench page, no bench chunk, none precached', () => {
  // The bench room (bench/) has a build of its own, vite.bench.config.ts into dist-bench/; scripts/bench.mjs
  // checks that its pages run under the app's headers with no policy violation.
  const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' });
  expect(files).toContain('index.html');
  expect(files.filter((f) => /bench/i.test(f))).toEqual([]);
  const serviceWorker = readFileSync(path.join(DIST, 'serviceWorker.js'), 'utf8');
  expect(serviceWorker).toContain('index.html');
  expect(serviceWorker).not.toMatch(/bench/i);
});

test('the app runs under its strict policy: worker, threaded WASM, a photo, an SVG, the inspector, no violations', async ({
  page,
}) => {
  const watched = await watchViolations(page);
  const workers: Worker[] = [];
  page.on('worker', (w) => workers.push(w));
  const documentResponse = page.waitForResponse((r) => r.request().resourceType() === 'document');
  await openApp(page, '?model=resnet18&backend=wasm');

  expectSecurityHeaders((await documentResponse).headers(), 'document');
  const inferenceWorker = workers.find((w) => /inference\.worker/.test(w.url()));
  expect(inferenceWorker, `workers: ${workers.map((w) => w.url()).join(', ')}`).toBeDefined();
  // The module worker's policy is the one delivered with its own script.
  expectSecurityHeaders((await page.request.get(inferenceWorker!.url())).headers(), 'worker script');
  const wasm = readdirSync(path.join(SERVED, 'assets')).find((f) => /threaded-simd.*\.wasm$/.test(f));
  const wasmResponse = await page.request.get(`/assets/${wasm}`);
  expect(wasmResponse.headers()['content-type']).toBe('application/wasm');
  expectSecurityHeaders(wasmResponse.headers(), 'wasm binary');

  // Threads need cross-origin isolation, blob: workers and WebAssembly compilation: all three survived.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const backend = page.getByTestId('backend');
  await expect(backend).toHaveAttribute('data-backend', 'wasm');
  await expect(backend).toHaveAttribute('data-thread', 'worker');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(backend).toHaveAttribute('data-threads', String(cores));

  // An SVG is rendered on the page through an <img> of a blob: URL; the thumbnails are blob: URLs too.
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="90"><rect width="120" height="90" fill="#c33"/>' +
    '<circle cx="60" cy="45" r="30" fill="#36c"/></svg>';
  await addImages(page, [
    { name: 'chelsea.jpg', mimeType: 'image/jpeg', buffer: readFileSync(fixture('chelsea.jpg')) },
    { name: 'shapes.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) },
  ]);
  const preds = await predictionsOf(page, 'chelsea.jpg', 'resnet18');
  expect(preds).toHaveLength(5);
  expect(await predictionsOf(page, 'shapes.svg', 'resnet18')).toHaveLength(5);
  const thumbnail = resultFor(page, 'chelsea.jpg').locator('img').first();
  await expect(thumbnail).toHaveAttribute('src', /^blob:/);
  await expect
    .poll(() => thumbnail.evaluate((img) => (img as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);

  await resultFor(page, 'chelsea.jpg').getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(panel.getByTestId('feature-map')).toHaveCount(5);

  expect(await violationsIn(page)).toEqual([]);
  expect(watched.console).toEqual([]);

  // The watch itself works: a download the policy refuses (plain http: to a host other than the e2e servers) is
  // refused, and said so.
  await page.getByTestId('weights-url').fill('http://blocked.example/model.safetensors');
  await page.getByTestId('weights-load').click();
  await expect(page.locator('.error-banner[data-testid="error"]')).toContainText(
    "This page's Content-Security-Policy does not allow downloads from blocked.example",
  );
  expect(await violationsIn(page)).toEqual([
    expect.objectContaining({
      directive: 'connect-src',
      blocked: 'http://blocked.example/model.safetensors',
    }),
  ]);
  await expect.poll(() => watched.console.length).toBeGreaterThan(0);
  // ... and so does the worker's half.
  await inferenceWorker!.evaluate(() => fetch('http://blocked.example/w').catch(() => undefined));
  await expect
    .poll(() =>
      watched.console.filter((text) => text.includes('in a worker: connect-src http://blocked.example/w')),
    )
    .toHaveLength(1);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
});

test('only the e2e flavour of the build carries the engine test hooks and fault hook; the production build does not', () => {
  const scriptsOf = (dir: string) =>
    readdirSync(path.join(dir, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(path.join(dir, 'assets', f), 'utf8'))
      .join('\n');
  expect(scriptsOf(SERVED)).toContain('engineTestHooks');
  expect(scriptsOf(DIST)).not.toContain('engineTestHooks');
  // The worker's WebGL fault injection, and the test gate whose only reference is in the same branch.
  expect(scriptsOf(SERVED)).toContain('resnetExplorerFaults');
  expect(scriptsOf(DIST)).not.toContain('resnetExplorerFaults');
});
