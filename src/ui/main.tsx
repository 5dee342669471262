/** The app page's entry point: start the engine and the model for the URL's settings, and render the UI. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { keepUrlInStep, startFromLink, useAppStore } from '../store';
import { App } from './App';
import './styles.css';

// Before the first render, so the page never flashes the other theme.
useAppStore.getState().startTheme();

// A shared link's settings (model, backend, k, Look inside's method and stage), or today's ?model= / ?backend=.
void startFromLink(useAppStore, window.location.href, (href) => window.history.replaceState(null, '', href));

keepUrlInStep(useAppStore);
// The dev server serves modules straight from the source tree; only a build has a service worker to register.
if (import.meta.env.PROD)
  useAppStore.getState().startServiceWorker(`${import.meta.env.BASE_URL}serviceWorker.js`);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
