/**
 * TF.js' WASM backend for tests in Node: XNNPACK's kernels, the ones the app runs on a machine without a GPU, and
 * an order of magnitude faster than the plain CPU backend on a whole ResNet (the CPU backend stays for small ops).
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { resolve } from 'node:path';

export async function setWasmBackend(): Promise<void> {
  setWasmPaths(`${resolve(import.meta.dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`);
  await tf.setBackend('wasm');
}
