/** The app page's entry point: start the engine and the model for the URL's options, and render the UI. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { keepUrlInStep, parseUrlOptions, useAppStore } from '../store';
import { App } from './App';
import './styles.css';

const options = parseUrlOptions(window.location.search);
void useAppStore.getState().startApp(options);

keepUrlInStep(useAppStore);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
