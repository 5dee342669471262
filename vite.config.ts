import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import type { VitePWAOptions } from 'vite-plugin-pwa';

import { headersFile } from './build/headersFile.ts';
import { LongTestsFirst } from './build/longTestsFirst.ts';
import { previewConnectSrc, securityHeaders } from './build/securityHeaders.ts';
import { tfjsWasmThreads } from './build/tfjsWasmThreads.ts';
import { RESNET50_MODEL_URL } from './src/shared/resnet50Package.ts';

// `vite preview` is a local check of the build and what the e2e tests run against, so it also lets the page
// fetch from the e2e weights server; dist/_headers, what a static host serves in production, never does.
const localConnectSrc = previewConnectSrc();
const packageJson = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * Installable and offline after the first visit (docs/offline.md). The service worker is ours (src/serviceWorker/)
 * built on Workbox, rather than one generated from options, so that cached responses can be given the cross-origin
 * isolation headers threaded WASM needs; vite-plugin-pwa injects the precache list.
 */
const progressiveWebApp: Partial<VitePWAOptions> = {
  strategies: 'injectManifest',
  srcDir: 'src/serviceWorker',
  filename: 'serviceWorker.ts',
  // src/client/serviceWorker.ts registers it with workbox-window and asks the user before an update.
  registerType: 'prompt',
  injectRegister: false,
  injectManifest: {
    rollupFormat: 'iife',
    // The manifest and its icons are added to the list by the plugin itself. ResNet50's model.json (5 kB
    // compressed) is how the page learns that ResNet50 is served, offline too.
    globPatterns: ['**/*.{js,css,html,wasm}', RESNET50_MODEL_URL],
    // ResNet50's weights (98 MB) are kept in IndexedDB by the app itself.
    globIgnores: ['models/**/*.bin'],
  },
  manifest: {
    name: 'ResNet Lens',
    short_name: 'ResNet Lens',
    description:
      'ResNet18, ResNet34 and ResNet50 in your browser: classify your photos and see inside the network. Nothing is uploaded.',
    theme_color: '#151a2d',
    background_color: '#151a2d',
    display: 'standalone',
    start_url: '.',
    scope: '.',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  devOptions: { enabled: false },
};

export default defineConfig({
  // APP_VERSION overrides it for the e2e test of the update flow, which needs a second, different build.
  define: { __APP_VERSION__: JSON.stringify(process.env.APP_VERSION ?? packageJson.version) },
  plugins: [react(), tfjsWasmThreads(), headersFile(securityHeaders()), VitePWA(progressiveWebApp)],
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
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'build/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    // Set-up that builds a model on the CPU backend takes seconds, longer with both workers busy.
    hookTimeout: 120_000,
    // Vitest's default leaves one core free (one worker on this 2-core machine); the tests are CPU-bound and
    // independent, so both cores run them.
    maxWorkers: 2,
    sequence: { sequencer: LongTestsFirst },
    reporters: ['default'],
  },
});
