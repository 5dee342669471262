/** Choosing and starting the TF.js backend inside the worker: WebGL on a GPU, threaded WASM on software WebGL. */
import * as tf from '@tensorflow/tfjs-core';

import { markStart } from '../shared/startMarks';

import type { BackendChoice, BackendInitResult, BackendName } from '../shared/protocol';
import { isSoftwareRenderer } from '../shared/softwareRenderer';

/**
 * Each backend is loaded when it is asked for, so a worker that runs WASM never parses WebGL's shader
 * library (and the other way round): that is most of a second of a page's start on a slow machine.
 */
const BACKEND_MODULES: Record<BackendName, () => Promise<unknown>> = {
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  wasm: () => import('./wasmBackend'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

function rendererOf(gl: WebGLRenderingContext | WebGL2RenderingContext): string | undefined {
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer: unknown = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  return typeof renderer === 'string' ? renderer : undefined;
}

function tfWebGLContext(): WebGL2RenderingContext | undefined {
  if (tf.getBackend() !== 'webgl') return undefined;
  // The webgl backend exposes its context as gpgpu.gl; it is not in the public typings.
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } };
  return backend.gpgpu?.gl;
}

function webglRenderer(): string | undefined {
  const gl = tfWebGLContext();
  return gl ? rendererOf(gl) : undefined;
}

/**
 * The WebGPU adapter's vendor and architecture (e.g. "google swiftshader"), so the page can say what WebGPU runs
 * on. TF.js keeps its adapter's info private; a second request returns the same default adapter.
 */
async function webgpuAdapterName(): Promise<string | undefined> {
  try {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    const info = (await gpu?.requestAdapter())?.info;
    const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
    return name || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onLost` when the active WebGL context is lost (driver reset, GPU process crash, too many contexts):
 * TF.js does not recover from that, so the page replaces the whole engine. Does nothing on other backends.
 */
export function watchWebGLContextLoss(onLost: () => void): void {
  const gl = tfWebGLContext();
  if (!gl) return;
  let reported = false;
  const report = () => {
    if (reported) return;
    reported = true;
    onLost();
  };
  // lib.webworker leaves `canvas` out of the WebGL contexts (the spec's type names HTMLCanvasElement, which a
  // worker lacks); in the worker, TF.js's context is always an OffscreenCanvas's.
  const { canvas } = gl as WebGL2RenderingContext & { readonly canvas: OffscreenCanvas };
  canvas.addEventListener('webglcontextlost', report);
  // Some browsers only flag the context as lost without an event on an OffscreenCanvas in a worker.
  if (gl.isContextLost()) report();
}

export function isWebGLContextLost(): boolean {
  return tfWebGLContext()?.isContextLost() ?? false;
}

/** Fault injection for the end-to-end tests: what a driver reset does, through the standard extension. */
export function loseWebGLContextForTesting(): boolean {
  const ext = tfWebGLContext()?.getExtension('WEBGL_lose_context');
  ext?.loseContext();
  return Boolean(ext);
}

/**
 * Which WebGL this browser would give TF.js, without starting TF.js's WebGL backend (that compiles shaders
 * and allocates textures only to be thrown away when the answer is "software").
 */
function probeWebGL(): { renderer: string | undefined } | null {
  // A worker has no document to make a canvas from: without OffscreenCanvas, TF.js has no WebGL here either.
  if (typeof OffscreenCanvas === 'undefined') return null;
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return null;
    const renderer = rendererOf(gl);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { renderer };
  } catch {
    return null;
  }
}

/** Picks a backend for `auto`, and says why in words the page can show. */
export function chooseBackend(rendererHint?: string): {
  backend: BackendName;
  reason: string;
  renderer?: string;
} {
  const webgl = rendererHint ? { renderer: rendererHint } : probeWebGL();
  if (!webgl) {
    return { backend: 'wasm', reason: 'This browser has no WebGL 2, so the CPU (WASM) runs the model.' };
  }
  const renderer = webgl.renderer ?? 'unknown renderer';
  if (webgl.renderer && isSoftwareRenderer(webgl.renderer)) {
    return {
      backend: 'wasm',
      reason: `WebGL here is a software renderer (${renderer}), which is many times slower than WASM on the same CPU.`,
      renderer: webgl.renderer,
    };
  }
  return { backend: 'webgl', reason: `WebGL runs on a GPU (${renderer}).`, renderer: webgl.renderer };
}

async function setTfBackend(requested: BackendName): Promise<{ ok: boolean; reason: string }> {
  if (requested === 'webgpu' && !('gpu' in globalThis.navigator)) {
    return { ok: false, reason: 'This browser has no WebGPU.' };
  }
  try {
    await BACKEND_MODULES[requested]();
    if (requested === 'webgl') {
      // TF.js refuses a software-rasterized context by default; SwiftShader is slow but correct, and the
      // page says when it is in use. (The flag exists once the WebGL module is loaded.)
      tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
    }
    const ok = await tf.setBackend(requested);
    await tf.ready();
    markStart('backend-ready');
    return { ok: ok && tf.getBackend() === requested, reason: '' };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Switches TF.js to the requested backend (for `auto`, the one `chooseBackend` picks). Never silently
 * substitutes another one: a failure is reported so the page can decide (start a worker on another backend,
 * or tell the user).
 */
export async function initBackend(
  requested: BackendChoice,
  rendererHint?: string,
): Promise<BackendInitResult> {
  const choice =
    requested === 'auto'
      ? chooseBackend(rendererHint)
      : { backend: requested, reason: undefined, renderer: undefined };
  const name = choice.backend;
  const { ok, reason } = await setTfBackend(name);
  if (!ok) {
    return {
      ok: false,
      requested,
      reason: reason || `TensorFlow.js could not initialize the ${name} backend in this worker.`,
    };
  }
  const base = {
    ok: true as const,
    name,
    requested,
    thread: 'worker' as const,
    ...(choice.reason ? { reason: choice.reason } : {}),
    // What this visit probed, for the page to remember: the next visit's `auto` then skips the probe.
    ...(requested === 'auto' && !rendererHint && choice.renderer ? { probedRenderer: choice.renderer } : {}),
  };
  if (name === 'webgl') {
    const renderer = webglRenderer();
    return { ...base, renderer, softwareRenderer: renderer ? isSoftwareRenderer(renderer) : undefined };
  }
  if (name === 'webgpu') {
    const renderer = await webgpuAdapterName();
    return { ...base, renderer, softwareRenderer: renderer ? isSoftwareRenderer(renderer) : undefined };
  }
  if (name === 'wasm') {
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const { getThreadsCount } = await import('./wasmBackend');
    const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? getThreadsCount() : 1;
    return { ...base, simd, threads };
  }
  return base;
}
