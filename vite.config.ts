import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

import { headersFile } from './build/headersFile.ts';
import { previewConnectSrc, securityHeaders } from './build/securityHeaders.ts';
import { tfjsWasmThreads } from './build/tfjsWasmThreads.ts';

// `vite preview` is a local check of the build and what the e2e tests run against, so it also lets the page
// fetch from the e2e weights server; dist/_headers, what a static host serves in production, never does.
const localConnectSrc = previewConnectSrc();

export default defineConfig({
  plugins: [react(), tfjsWasmThreads(), headersFile(securityHeaders())],
  worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
  // The dev server's policy adds only what Vite's inline HMR scripts, styles and WebSocket need.
  server: { headers: securityHeaders({ dev: true, extraConnectSrc: localConnectSrc }) },
  // The dev server pre-bundles dependencies with Rolldown, outside the plugin pipeline above.
  optimizeDeps: { rolldownOptions: { plugins: [tfjsWasmThreads()] } },
  preview: { headers: securityHeaders({ extraConnectSrc: localConnectSrc }) },
  build: {
    target: 'es2022',
    // TF.js alone is ~1.5 MB minified; splitting it further buys nothing because the worker needs all of it.
    chunkSizeWarningLimit: 4096,
    // bench.html is the page `npm run bench` drives; it shares the app's engine and worker chunks.
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'build/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    reporters: ['default'],
  },
});
