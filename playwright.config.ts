import { defineConfig } from '@playwright/test';

// Headless Chromium with WebGL on SwiftShader; shared with the bench and screenshot scripts.
import { readFileSync } from 'node:fs';

const CHROMIUM_ARGS = JSON.parse(
  readFileSync(new URL('./e2e/chromium-args.json', import.meta.url), 'utf8'),
) as string[];

const PORT = 4173;
export const WEIGHTS_PORT = 4174;

/**
 * End-to-end tests run Debian's Chromium (Playwright's browser download is not available here) against the
 * production build served by `vite preview`. WebGL runs on SwiftShader, so timeouts are generous.
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
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: [
    {
      command: `npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
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
