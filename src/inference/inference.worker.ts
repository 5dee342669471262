import { expose } from 'comlink';

import { InferenceEngine } from './engine';

// The worker's whole job: host one engine and answer its typed RPC (see protocol.ts).
expose(new InferenceEngine('worker'));
