import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

import { crossOriginIsolationHeaders } from './build/securityHeaders.ts';
import { tfjsWasmThreads } from './build/tfjsWasmThreads.ts';

export default defineConfig({
  plugins: [react(), tfjsWasmThreads()],
  worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
  server: { headers: crossOriginIsolationHeaders },
  // The dev server pre-bundles dependencies with Rolldown, outside the plugin pipeline above.
  optimizeDeps: { rolldownOptions: { plugins: [tfjsWasmThreads()] } },
  preview: { headers: crossOriginIsolationHeaders },
  build: {
    target: 'es2022',
    // TF.js alone is ~1.5 MB minified; splitting it further buys nothing because the worker needs all of it.
    chunkSizeWarningLimit: 4096,
    // bench.html is the page `npm run bench` drives; it shares the app's engine and worker chunks.
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    reporters: ['default'],
  },
});
