import { defineConfig } from '@playwright/test';

// Headless Chromium with WebGL on SwiftShader (its flags: e2e/browserArgs.ts).
import { e2eLaunchOptions } from './e2e/browserArgs';

const PORT = 4173;
/** Where the e2e flavour of the build goes; `dist/` stays the production build (bench, headers). */
export const E2E_DIST = 'dist-e2e';
export const WEIGHTS_PORT = 4174;

/**
 * End-to-end tests run Debian's Chromium (Playwright's browser download is not available here) against a
 * production build served by `vite preview`: the e2e flavour (`--mode e2e`, in dist-e2e/), which is the production
 * build plus `window.engineTestHooks` (src/client/testHooks.ts), so tests hold the engine instead of racing it.
 * WebGL runs on SwiftShader, so timeouts are generous.
 */
export default defineConfig({
  testDir: './e2e',
  timeout: 360_000,
  expect: { timeout: 60_000 },
  // Two cores and a software GPU: one browser at a time keeps timings honest and tests independent.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1400, height: 1000 },
    launchOptions: e2eLaunchOptions(),
    // A service worker would answer from its cache and hide what a test changed on the server; the PWA's own
    // tests (offline.spec.ts) allow it.
    serviceWorkers: 'block',
    // A failed test keeps its trace's DOM snapshots and a screenshot of the end; the trace's screencast (a JPEG of
    // every frame, recorded for every test and thrown away when it passes) is left out: see docs/testing.md, "Time".
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true },
    screenshot: 'only-on-failure',
  },
  webServer: [
    {
      command: `npx vite build --mode e2e --outDir ${E2E_DIST} --emptyOutDir --logLevel warn && npx vite preview --outDir ${E2E_DIST} --port ${PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${PORT}`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      // Mimics the Hugging Face hub's URL layout for the weight-download tests.
      command: `node e2e/weightsServer.mjs`,
      url: `http://127.0.0.1:${WEIGHTS_PORT}/health`,
      env: { WEIGHTS_PORT: String(WEIGHTS_PORT) },
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
  ],
});
