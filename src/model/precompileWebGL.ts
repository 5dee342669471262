/** On WebGL, compile every shader program of a forward pass in parallel before the first real one runs. */
import * as tf from '@tensorflow/tfjs-core';

/** The parts of TF.js's WebGL backend used here; they are public methods, but not in tfjs-core's typings. */
interface WebGLCompilation {
  checkCompileCompletionAsync(): Promise<boolean[]>;
  getUniformLocations(): void;
}

function isWebGLCompilation(backend: unknown): backend is WebGLCompilation {
  const b = backend as Partial<WebGLCompilation>;
  return typeof b.checkCompileCompletionAsync === 'function' && typeof b.getUniformLocations === 'function';
}

/**
 * On WebGL, compiles every shader program `trace` needs before anything runs: TF.js records the programs
 * without executing them (ENGINE_COMPILE_ONLY), hands them all to the driver at once, and with
 * KHR_parallel_shader_compile the driver builds them in parallel while this awaits instead of blocking.
 * Elsewhere it does nothing. Call during loading, before the warm-up pass.
 */
export async function precompileWebGL(trace: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const backend = tf.backend();
  if (tf.getBackend() !== 'webgl' || !isWebGLCompilation(backend)) return;
  tf.env().set('ENGINE_COMPILE_ONLY', true);
  try {
    tf.tidy(trace);
  } finally {
    tf.env().set('ENGINE_COMPILE_ONLY', false);
  }
  await backend.checkCompileCompletionAsync();
  backend.getUniformLocations();
}
