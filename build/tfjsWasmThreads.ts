import type { Plugin } from 'vite';

/**
 * Makes tfjs-backend-wasm's multi-threaded build work when bundled.
 *
 * The backend starts its pthread workers from `factory.toString()`: the Emscripten factory's source text is
 * re-evaluated inside each thread. That factory reads `_scriptDir` from the closure it is wrapped in, and once
 * a bundler has minified the module that closure variable has a short name (`e`) that does not exist in the
 * thread ("e is not defined"). Declaring `_scriptDir` inside the factory makes its text self-contained; its
 * value only serves Emscripten's default file lookup, which the backend overrides with `locateFile` anyway.
 *
 * Second, the backend caps XNNPACK's thread pool at half of `navigator.hardwareConcurrency`, assuming two
 * hyper-threads per core. On a 2-vCPU machine that is one thread, i.e. no threading at all, whatever
 * `setThreadsCount` asks for. Reporting logical cores x 2 to that one computation moves the cap to the real core
 * count, so `setThreadsCount` (called by src/inference/wasmBackend.ts) decides.
 *
 * Third, Emscripten starts a fixed pool of 8 thread workers at start-up, each loading and instantiating the
 * module; XNNPACK uses at most one per core (the calling thread is one of them). On a 2-core machine the 6
 * spare workers cost most of a second of start-up for nothing, so the pool is sized to the cores.
 */
export function tfjsWasmThreads(): Plugin {
  const factoryStart = /return \(\s*function\(WasmBackendModuleThreadedSimd\) \{/;
  const logicalCores = 'return navigator["hardwareConcurrency"]}';
  const poolSize = 'var pthreadPoolSize=8;';
  return {
    name: 'tfjs-wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('/wasm-out/tfjs-backend-wasm-threaded-simd.js')) return null;
      if (!factoryStart.test(code) || !code.includes(logicalCores) || !code.includes(poolSize)) {
        this.error('tfjs-backend-wasm-threaded-simd.js changed shape; re-check the threads workaround.');
      }
      return {
        code: code
          .replace(logicalCores, 'return 2 * navigator["hardwareConcurrency"]}')
          .replace(
            poolSize,
            'var pthreadPoolSize=Math.max(1,Math.min(8,navigator["hardwareConcurrency"]||1));',
          )
          .replace(
            factoryStart,
            (m) =>
              `${m}\nvar _scriptDir = typeof self !== 'undefined' && self.location ? self.location.href : undefined;`,
          ),
        map: null,
      };
    },
  };
}
