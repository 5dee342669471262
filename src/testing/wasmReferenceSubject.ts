/**
 * What the PyTorch-reference tests of the perturbation methods share: the seeded ResNet18 and its photo on
 * TF.js' WASM backend (XNNPACK, still the CPU), where a forward pass takes a tenth of the plain CPU backend's time.
 * The methods are split over several test files so that the two test workers share the hundreds of passes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect } from 'vitest';

import { referenceSubject } from './explainReference';
import { setWasmBackend } from './wasmBackend';

type ReferenceSubject = Awaited<ReturnType<typeof referenceSubject>>;

/**
 * Registers the set-up and tear-down of one test file (call it inside its describe, before its own hooks) and
 * returns the reference subject, filled in before the first test runs. The tear-down checks that every
 * explanation freed what it made.
 */
export function useWasmReferenceSubject(): { readonly subject: ReferenceSubject } {
  const holder = {} as { subject: ReferenceSubject };
  let tensorsBefore: number;

  beforeAll(async () => {
    await setWasmBackend();
    tensorsBefore = tf.memory().numTensors;
    holder.subject = await referenceSubject();
  });

  afterAll(() => {
    holder.subject.dispose();
    // The model kept only its gradient kernels, freed with it.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  return holder;
}
