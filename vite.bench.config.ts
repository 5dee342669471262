/**
 * The build of the bench room (bench/: the pages that `npm run bench` and `npm run bench:convs` drive), into
 * dist-bench/, with the app's own settings (vite.config.ts: the WASM threads fixes, the cross-origin isolation
 * headers of `vite preview`). A build of its own so that the app's build is untouched by it: a bench page in the
 * app's build would change how the app's chunks are split and what its service worker precaches, and would ship
 * a developer tool to every visitor.
 */
import { fileURLToPath } from 'node:url';
import type { PluginOption } from 'vite';
import { defineConfig } from 'vitest/config';

import appConfig from './vite.config.ts';

const isPwaPlugin = (p: PluginOption) =>
  Boolean(p && typeof p === 'object' && 'name' in p && String(p.name).startsWith('vite-plugin-pwa'));

const fromHere = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  ...appConfig,
  // The pages are served from the room itself: /bench.html, /bench-convs.html.
  root: fromHere('./bench'),
  // The app's plugins less the service worker's: these pages are developer tools, never installed or cached.
  plugins: (appConfig.plugins ?? []).flat().filter((p) => !isPwaPlugin(p)),
  // The app's public files: bench.html loads ResNet50's bundled weights from /models/ as the app does.
  publicDir: fromHere('./public'),
  build: {
    ...appConfig.build,
    outDir: fromHere('./dist-bench'),
    emptyOutDir: true,
    rollupOptions: {
      input: { bench: fromHere('./bench/bench.html'), 'bench-convs': fromHere('./bench/bench-convs.html') },
    },
  },
});
