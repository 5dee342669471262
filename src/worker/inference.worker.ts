import { expose } from 'comlink';

import { InferenceEngine } from './engine';
import { loseWebGLContextForTesting } from './backend';
import { holdLifeLock } from '../client/workerLifeLock';

// The worker's whole job: host one engine and answer its typed RPC (see protocol.ts).
expose(new InferenceEngine('worker'));
// Held until this worker is gone, however it goes (terminated, crashed, closed): that is how the page notices.
holdLifeLock(self.name);

// Fault injection for the end-to-end tests: what a GPU driver reset does to this worker's WebGL context.
// Reachable only from a debugger or a test driver; it changes nothing until called.
Object.assign(self, { resnetExplorerFaults: { loseWebGLContext: loseWebGLContextForTesting } });
