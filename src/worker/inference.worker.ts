/**
 * The inference worker's entry point: host one engine and answer the page's typed calls (shared/protocol.ts).
 * Everything TF.js does in this app happens in this thread.
 */
import { expose } from 'comlink';

import { loseWebGLContextForTesting } from './backend';
import { InferenceEngine } from './engine';
import { holdLifeLock } from './lifeLock';
import { markStart } from '../shared/startMarks';

markStart('worker-started');

expose(new InferenceEngine());
// Held until this worker is gone, however it goes (terminated, crashed, closed): that is how the page notices.
holdLifeLock(self.name);

// Fault injection for the end-to-end tests: what a GPU driver reset does to this worker's WebGL context. Only in
// a build for them (`vite build --mode e2e`): elsewhere the constant folds and the hook is not there.
if (import.meta.env.MODE === 'e2e') {
  Object.assign(self, { resnetExplorerFaults: { loseWebGLContext: loseWebGLContextForTesting } });
}
