import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

import type { BackendInitResult, BackendName } from './protocol';

// Vite fingerprints the .wasm files; tell the WASM backend where each one ended up.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

// XNNPACK's default is one thread under Emscripten; use every core the browser reports (only takes effect
// when the page is cross-origin isolated and the threaded binary loads).
setThreadsCount(Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|basic render driver|software/i;

function webglRenderer(): string | undefined {
  // The webgl backend exposes its context as gpgpu.gl; it is not in the public typings.
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } };
  const gl = backend.gpgpu?.gl;
  if (!gl) return undefined;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer: unknown = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  return typeof renderer === 'string' ? renderer : undefined;
}

/**
 * Switches TF.js to the requested backend. Never silently substitutes another one: a failure is reported
 * so the caller can decide (run on the main thread instead, or tell the user).
 */
export async function initBackend(
  requested: BackendName,
  thread: 'worker' | 'main',
): Promise<BackendInitResult> {
  if (requested === 'webgl') {
    // TF.js refuses a software-rasterized context by default; SwiftShader is slow but correct, and the
    // page says when it is in use.
    tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  }
  let ok = false;
  let reason = '';
  try {
    ok = await tf.setBackend(requested);
    await tf.ready();
  } catch (err) {
    reason = err instanceof Error ? err.message : String(err);
  }
  if (!ok || tf.getBackend() !== requested) {
    return {
      ok: false,
      requested,
      reason:
        reason || `TensorFlow.js could not initialize the ${requested} backend in the ${thread} thread.`,
    };
  }
  if (requested === 'webgl') {
    const renderer = webglRenderer();
    return {
      ok: true,
      name: 'webgl',
      requested,
      thread,
      renderer,
      softwareRenderer: renderer ? SOFTWARE_RENDERERS.test(renderer) : undefined,
    };
  }
  if (requested === 'wasm') {
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? getThreadsCount() : 1;
    return { ok: true, name: 'wasm', requested, thread, simd, threads };
  }
  return { ok: true, name: requested, requested, thread };
}
