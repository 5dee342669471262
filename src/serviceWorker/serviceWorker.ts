/**
 * The service worker, built by vite-plugin-pwa (Workbox): it precaches the app shell, the labels and the WASM
 * binaries so that the app opens offline, and a new version waits until the user accepts it. ResNet50 and
 * downloaded weights are not precached: the app keeps them itself, checksummed, in IndexedDB and Cache Storage.
 */
import {
  addPlugins,
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import type { PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

import { withIsolationHeaders } from './isolationHeaders';

// The DOM and WebWorker libraries cannot share one TypeScript program; this is what this file uses of the
// service worker's global scope.
declare const self: {
  __WB_MANIFEST: (string | PrecacheEntry)[];
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
};

addPlugins([{ handlerWillRespond: async ({ response }) => withIsolationHeaders(response) }]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every navigation inside the app is the one page; the model files are left to the network.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/models\//] }));

// No skipWaiting on install: a new version takes over only when the page, on the user's yes, asks for it
// (workbox-window's messageSkipWaiting), so a running classification is never cut off by an update.
self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting();
});
