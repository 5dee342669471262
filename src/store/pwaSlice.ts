/** The app as an installable, updatable web app: whether a new version is waiting, and the offer to install. */
import { registerServiceWorker } from '../client/serviceWorker';
import type { SliceCreator } from './types';

export interface PwaSlice {
  /** Switches to the waiting new version (and reloads); null while none is waiting. */
  acceptUpdate: (() => void) | null;
  /** Shows the browser's install prompt; null where the browser does not offer installation. */
  installApp: (() => Promise<void>) | null;
  startServiceWorker: (scriptUrl: string) => void;
}

export const createPwaSlice: SliceCreator<PwaSlice> = (set) => ({
  acceptUpdate: null,
  installApp: null,
  startServiceWorker: (scriptUrl) =>
    registerServiceWorker(scriptUrl, {
      onUpdateWaiting: (accept) => set({ acceptUpdate: accept }),
      onInstallOffer: (install) => set({ installApp: install }),
    }),
});
