import * as tf from '@tensorflow/tfjs-core';

import type { ResNetClassifier } from '../model/classifier';
import { INPUT_SIZE } from '../model/variants';

/** Timing loops that run next to the model (in the worker), so message passing does not blur the numbers. */

export interface BenchOptions {
  runs: number;
  batch: number;
}

export interface Timing {
  medianMs: number;
  p95Ms: number;
  runs: number;
}

export interface BenchResult {
  /** The app's classification path: forward pass, softmax and top-k on the backend, one download of k results. */
  classify: Timing;
  /** Plain `model.predict` of the layers model with a full download of the logits: the naive baseline. */
  naivePredict: Timing;
  /** Images per second, one image at a time and in one batched pass of `batch` images. */
  singleImagesPerSec: number;
  batchImagesPerSec: number;
  batch: number;
  /** Tensors alive before and after all of the above (must be equal). */
  tensorsBefore: number;
  tensorsAfter: number;
  /** Peak bytes allocated by TF.js during the runs (GPU textures on WebGL, heap on WASM/CPU). */
  peakBytes: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function time(runs: number, once: () => Promise<void>): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: percentile(samples, 0.5), p95Ms: percentile(samples, 0.95), runs };
}

export async function benchmarkClassifier(
  classifier: ResNetClassifier,
  options: BenchOptions,
): Promise<BenchResult> {
  const tensorsBefore = tf.memory().numTensors;
  const one = tf.randomNormal([1, INPUT_SIZE, INPUT_SIZE, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const many = tf.randomNormal([options.batch, INPUT_SIZE, INPUT_SIZE, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
  let peakBytes = tf.memory().numBytes;
  const track = () => {
    peakBytes = Math.max(peakBytes, tf.memory().numBytes);
  };
  let result: Omit<BenchResult, 'tensorsAfter'>;
  try {
    await classifier.classify(one, 5); // warm (shaders for batch 1 are already compiled by load())
    const classify = await time(options.runs, async () => {
      await classifier.classify(one, 5);
      track();
    });
    const naivePredict = await time(options.runs, async () => {
      const logits = classifier.model.predict(one) as tf.Tensor;
      track();
      await logits.data();
      logits.dispose();
    });
    await classifier.classify(many, 5); // compile the batch-size programs before timing
    const batched = await time(Math.max(3, Math.round(options.runs / 4)), async () => {
      await classifier.classify(many, 5);
      track();
    });
    result = {
      classify,
      naivePredict,
      singleImagesPerSec: 1000 / classify.medianMs,
      batchImagesPerSec: (1000 * options.batch) / batched.medianMs,
      batch: options.batch,
      tensorsBefore,
      peakBytes,
    };
  } finally {
    one.dispose();
    many.dispose();
  }
  return { ...result, tensorsAfter: tf.memory().numTensors };
}
