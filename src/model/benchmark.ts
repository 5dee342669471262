/** Timing loops that run next to the model (in the worker), so message passing does not blur the numbers. */
import * as tf from '@tensorflow/tfjs-core';

import type {
  BenchOptions,
  BenchResult,
  ColdCallProbe,
  KernelTime,
  PhaseTimes,
  Timing,
} from '../shared/protocol';
import { INPUT_SIZE } from '../shared/variants';
import type { ClassifyPhase, ResNetClassifier } from './classifier';

/** Kernel times from tf.profile, grouped by kernel name (on WebGL they are GPU timer queries where present). */
async function profileKernels(run: () => Promise<unknown>): Promise<KernelTime[]> {
  const info = await tf.profile(async () => {
    await run();
  });
  const byName = new Map<string, KernelTime>();
  for (const kernel of info.kernels) {
    // TF.js lists each op twice: the public op (`fusedConv2d__op`, time including its kernel) and the kernel.
    if (kernel.name.endsWith('__op')) continue;
    const raw = await kernel.kernelTimeMs;
    const ms = typeof raw === 'number' ? raw : 0;
    const entry = byName.get(kernel.name) ?? { name: kernel.name, count: 0, ms: 0 };
    entry.count++;
    entry.ms += ms;
    byName.set(kernel.name, entry);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms);
}

function maxAbs(values: Float32Array | Int32Array | Uint8Array): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
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

const PHASES: readonly ClassifyPhase[] = ['input', 'forward', 'topK', 'read'];

/** One classification of `crop`, with the time each phase took. */
async function phaseTimes(classifier: ResNetClassifier, crop: Uint8ClampedArray): Promise<PhaseTimes> {
  const times = { input: 0, forward: 0, topK: 0, read: 0, total: 0 };
  const start = performance.now();
  let last = start;
  await classifier.classify([crop], 5, {
    mark(phase) {
      const now = performance.now();
      times[phase] = now - last;
      last = now;
    },
  });
  times.total = performance.now() - start;
  return times;
}

function medianPhases(samples: PhaseTimes[]): PhaseTimes {
  const median = (key: keyof PhaseTimes) => {
    const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
    return percentile(sorted, 0.5);
  };
  const times = { total: median('total') } as PhaseTimes;
  for (const phase of PHASES) times[phase] = median(phase);
  return times;
}

/**
 * The path a dropped photo takes in the engine (a crop of bytes to top-k), timed back to back and after the engine
 * sat idle for `idleMs`, phase by phase: the difference is what an idle page costs a single photo.
 */
async function probeColdCall(
  classifier: ResNetClassifier,
  runs: number,
  idleMs: number,
): Promise<ColdCallProbe> {
  const size = classifier.preprocess.cropSize;
  const crop = new Uint8ClampedArray(size * size * 4);
  // A fixed, photo-like pattern (not all one value): opaque, like every decoded crop.
  for (let i = 0; i < crop.length; i++) crop[i] = i % 4 === 3 ? 255 : (i * 2654435761) >>> 24;
  await phaseTimes(classifier, crop);
  const warm: PhaseTimes[] = [];
  for (let i = 0; i < runs; i++) warm.push(await phaseTimes(classifier, crop));
  const afterIdle: PhaseTimes[] = [];
  for (let i = 0; i < runs; i++) {
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    afterIdle.push(await phaseTimes(classifier, crop));
  }
  return { idleMs, runs, warm: medianPhases(warm), afterIdle: medianPhases(afterIdle) };
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
    await classifier.classifyTensor(one, 5); // warm (shaders for batch 1 are already compiled by load())
    const classify = await time(options.runs, async () => {
      await classifier.classifyTensor(one, 5);
      track();
    });
    const naivePredict = await time(options.runs, async () => {
      const logits = classifier.model.predict(one) as tf.Tensor;
      track();
      await logits.data();
      logits.dispose();
    });
    const [fastLogits, naiveLogits] = [classifier.logits(one), classifier.model.predict(one) as tf.Tensor];
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(fastLogits, naiveLogits))));
    const fastVsNaiveMaxAbsDiff = (await diff.data())[0]!;
    const maxAbsLogit = maxAbs(await naiveLogits.data());
    tf.dispose([fastLogits, naiveLogits, diff]);
    const kernels = await profileKernels(() => classifier.classifyTensor(one, 5));
    await classifier.classifyTensor(many, 5); // compile the batch-size programs before timing
    const batched = await time(Math.max(3, Math.round(options.runs / 4)), async () => {
      await classifier.classifyTensor(many, 5);
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
      fastVsNaiveMaxAbsDiff,
      maxAbsLogit,
      kernels,
      ...(options.idleMs ? { coldCall: await probeColdCall(classifier, options.runs, options.idleMs) } : {}),
    };
  } finally {
    one.dispose();
    many.dispose();
  }
  return { ...result, tensorsAfter: tf.memory().numTensors };
}
