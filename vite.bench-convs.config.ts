/**
 * The build behind `npm run bench:convs` (scripts/bench-convs.mjs): bench-convs.html and its worker alone, into
 * dist/bench-convs/, with the app's own settings (vite.config.ts: the WASM threads fixes, the cross-origin
 * isolation headers of `vite preview`). A build of its own so that the app's build is untouched by it: one more
 * page in the app's build would change how the app's chunks are split and what its service worker precaches.
 */
import type { PluginOption } from 'vite';
import { defineConfig } from 'vitest/config';

import appConfig from './vite.config.ts';

const isPwaPlugin = (p: PluginOption) =>
  Boolean(p && typeof p === 'object' && 'name' in p && String(p.name).startsWith('vite-plugin-pwa'));

export default defineConfig({
  ...appConfig,
  // The app's plugins less the service worker's: this page is a developer tool, never installed or cached.
  plugins: (appConfig.plugins ?? []).flat().filter((p) => !isPwaPlugin(p)),
  // public/ holds the app's icons and ResNet50's 98 MB of weights: nothing this page needs.
  publicDir: false,
  build: {
    ...appConfig.build,
    outDir: 'dist/bench-convs',
    emptyOutDir: true,
    rollupOptions: { input: { 'bench-convs': 'bench-convs.html' } },
  },
});
