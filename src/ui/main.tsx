/** The app page's entry point: start the engine and the model for the URL's options, and render the UI. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { parseUrlOptions, useAppStore, withVariantInUrl } from '../store';
import { App } from './App';
import './styles.css';

const options = parseUrlOptions(window.location.search);
void useAppStore.getState().startApp(options);

// Keep ?model= in the address bar in step with the variant, so a reload or a shared link reopens it.
useAppStore.subscribe((state, prev) => {
  if (state.variant !== prev.variant) {
    window.history.replaceState(null, '', withVariantInUrl(window.location.href, state.variant));
  }
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
