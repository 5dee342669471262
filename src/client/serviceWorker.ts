/**
 * The service worker seen from the page: registers it, says when a new version of the app is waiting, and
 * switches to it only when the user accepts; also the browser's offer to install the app.
 */
import { Workbox } from 'workbox-window';

/** The event Chromium fires when it would install the page as an app (not in TypeScript's DOM library). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

export interface ServiceWorkerEvents {
  /** A new version is installed and waiting; `accept` switches to it and reloads the page. */
  onUpdateWaiting: (accept: () => void) => void;
  /** The browser offers to install the app; `install` shows its prompt. null: the offer is gone (installed). */
  onInstallOffer: (install: (() => Promise<void>) | null) => void;
}

export function registerServiceWorker(scriptUrl: string, events: ServiceWorkerEvents): void {
  if (!('serviceWorker' in navigator)) return;
  const workbox = new Workbox(scriptUrl);
  // 'waiting' also fires at registration when a version was already waiting from an earlier visit.
  workbox.addEventListener('waiting', () => {
    events.onUpdateWaiting(() => {
      workbox.addEventListener('controlling', () => window.location.reload());
      workbox.messageSkipWaiting();
    });
  });
  // A page left open for days should still hear of a new version: look again whenever it comes back into view.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void workbox.update().catch(() => undefined);
  });
  workbox.register().catch((err: unknown) => console.warn('Service worker not registered:', err));

  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    const offer = event as BeforeInstallPromptEvent;
    events.onInstallOffer(async () => {
      await offer.prompt();
      if ((await offer.userChoice).outcome === 'accepted') events.onInstallOffer(null);
    });
  });
  window.addEventListener('appinstalled', () => events.onInstallOffer(null));
}
