// Importing this module registers the WASM backend, configured for this build.
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

// Vite fingerprints the .wasm files; tell the WASM backend where each one ended up.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

// XNNPACK's default is one thread under Emscripten; use every core the browser reports (only takes effect
// when the page is cross-origin isolated and the threaded binary loads; see build/tfjsWasmThreads.ts).
setThreadsCount(Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));

export { getThreadsCount };
