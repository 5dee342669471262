/**
 * The worker behind `bench-convs.html` (`npm run bench:convs`): each distinct convolution of ResNet18/34 timed
 * alone on the app's WASM backend, the whole network beside it, and a large GEMM as the WASM ceiling.
 *
 * Same backend setup as the app's inference worker: TF.js's WASM backend as src/worker/wasmBackend.ts configures it
 * (threaded SIMD build, one XNNPACK thread per core, Vite's fixes from build/tfjsWasmThreads.ts), in a dedicated
 * worker of a cross-origin isolated page, started as src/worker/backend.ts's initBackend('wasm') starts it
 * (imported directly here, so that this worker's bundle holds no other backend). Each convolution is the op the
 * fast path calls (`tf.fused.conv2d`, bias and ReLU fused, NHWC, batch 1, src/model/fastResNet.ts).
 *
 * Timing: one sample is one op call, timed with performance.now() around it, no readback. On the WASM backend a
 * kernel runs to completion inside the call (XNNPACK's thread pool joins before it returns), so the call's wall
 * time is the kernel's; a `data()` per sample would add a copy of the output (up to 3 MB) that the network never
 * makes between two convolutions. Samples are taken in interleaved rounds (every convolution once per round), so
 * a busy moment on a shared machine spreads over all of them instead of landing on one, and each call finds the
 * caches as another convolution left them, as in the network.
 */
import * as tf from '@tensorflow/tfjs-core';

import { ResNetClassifier } from '../src/model/classifier';
import { loadClassifier } from '../src/model/loadClassifier';
import { getThreadsCount } from '../src/worker/wasmBackend';
import type {
  BenchConvsReply,
  BenchConvsRequest,
  BenchConvsResult,
  ConvShape,
  NetworkConv,
  Samples,
} from './benchConvs';

function summarize(samples: number[]): Samples {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return {
    medianMs: at(0.5),
    minMs: s[0]!,
    p25Ms: at(0.25),
    p75Ms: at(0.75),
    maxMs: s.at(-1)!,
    runs: s.length,
  };
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Inputs and weights for one convolution (random: values do not change the cost), and the op as the app calls it. */
function makeConv(c: ConvShape, seed: number): { call: () => tf.Tensor4D; dispose: () => void } {
  const x = tf.randomNormal<tf.Rank.R4>([1, c.inHeight, c.inWidth, c.inChannels], 0, 1, 'float32', seed);
  const fanIn = c.kernel * c.kernel * c.inChannels;
  const filter = tf.randomNormal<tf.Rank.R4>(
    [c.kernel, c.kernel, c.inChannels, c.outChannels],
    0,
    Math.sqrt(2 / fanIn),
    'float32',
    seed + 1,
  );
  const bias = c.bias ? tf.randomNormal<tf.Rank.R1>([c.outChannels], 0, 0.1, 'float32', seed + 2) : undefined;
  const p = (c.kernel - 1) / 2;
  const pad: 'same' | tf.backend_util.ExplicitPadding =
    c.pad === 'same'
      ? 'same'
      : [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ];
  const activation = c.relu ? 'relu' : 'linear';
  return {
    call: () => tf.fused.conv2d({ x, filter, bias, strides: c.stride, pad, activation }),
    dispose: () => tf.dispose([x, filter, ...(bias ? [bias] : [])]),
  };
}

/** Times `calls` in interleaved rounds after `warmup` untimed rounds; one sample list per call. */
function interleaved(calls: (() => tf.Tensor)[], warmup: number, runs: number): number[][] {
  const samples = calls.map(() => [] as number[]);
  for (let round = 0; round < warmup + runs; round++) {
    calls.forEach((call, i) => {
      const t0 = performance.now();
      const y = call();
      const ms = performance.now() - t0;
      y.dispose();
      if (round >= warmup) samples[i]!.push(ms);
    });
  }
  return samples;
}

async function timeNetwork(request: BenchConvsRequest): Promise<BenchConvsResult['network']> {
  const { variant, flavor, runs, profileRuns } = request.network;
  const classifier = await loadClassifier({ kind: 'random', variant, flavor });
  try {
    if (!(classifier instanceof ResNetClassifier)) throw new Error('expected a ResNetClassifier');
    const one = tf.randomNormal<tf.Rank.R4>([1, 224, 224, 3], 0, 1, 'float32', 7);
    try {
      // The same loop as src/model/benchmark.ts (`npm run bench`'s warm median).
      for (let i = 0; i < 3; i++) await classifier.classifyTensor(one, 5);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await classifier.classifyTensor(one, 5);
        times.push(performance.now() - t0);
      }
      const byName: Record<string, number[]> = {};
      const passTotals: number[] = [];
      const convTimes: number[][] = [];
      let convShapes: Omit<NetworkConv, 'medianMs'>[] = [];
      for (let pass = 0; pass < profileRuns; pass++) {
        const info = await tf.profile(async () => {
          const logits = classifier.logits(one);
          await logits.data();
          logits.dispose();
        });
        const sums: Record<string, number> = {};
        const convs: { ms: number; shape: Omit<NetworkConv, 'medianMs'> }[] = [];
        for (const k of info.kernels) {
          // TF.js lists each op twice: the public op (`fusedConv2d__op`) and the kernel itself.
          if (k.name.endsWith('__op')) continue;
          const raw = await k.kernelTimeMs;
          const ms = typeof raw === 'number' ? raw : 0;
          sums[k.name] = (sums[k.name] ?? 0) + ms;
          if (k.name === 'FusedConv2D') {
            const [inputShape = [], filterShape = [], biasShape] = k.inputShapes;
            convs.push({ ms, shape: { inputShape, filterShape, hasBias: biasShape != null } });
          }
        }
        for (const [name, ms] of Object.entries(sums)) (byName[name] ??= []).push(ms);
        passTotals.push(Object.values(sums).reduce((a, b) => a + b, 0));
        convs.forEach((c, i) => (convTimes[i] ??= []).push(c.ms));
        convShapes = convs.map((c) => c.shape);
      }
      return {
        classify: summarize(times),
        kernelsMs: Object.fromEntries(Object.entries(byName).map(([name, ms]) => [name, median(ms)])),
        kernelTotalMs: median(passTotals),
        fusedConvs: convShapes.map((shape, i) => ({ ...shape, medianMs: median(convTimes[i]!) })),
        profileRuns,
      };
    } finally {
      one.dispose();
    }
  } finally {
    classifier.dispose();
  }
}

/** The best a large GEMM does on this backend: as a 1x1 convolution (XNNPACK's GEMM kernels) and as tf.matMul. */
function timeGemm(n: number, warmup: number, runs: number): NonNullable<BenchConvsResult['gemm']> {
  // An n-pixel image (side x n / side) of n channels to n channels: an n x n x n product.
  let side = Math.floor(Math.sqrt(n));
  while (n % side !== 0) side--;
  const conv = makeConv(
    {
      key: 'gemm',
      inHeight: side,
      inWidth: n / side,
      inChannels: n,
      kernel: 1,
      stride: 1,
      outChannels: n,
      pad: 'same',
      bias: false,
      relu: false,
    },
    11,
  );
  const a = tf.randomNormal<tf.Rank.R2>([n, n], 0, 1, 'float32', 21);
  const b = tf.randomNormal<tf.Rank.R2>([n, n], 0, 1, 'float32', 22);
  try {
    const [conv1x1, matMul] = interleaved([conv.call, () => tf.matMul(a, b)], warmup, runs);
    return { size: n, conv1x1: summarize(conv1x1!), matMul: summarize(matMul!) };
  } finally {
    conv.dispose();
    tf.dispose([a, b]);
  }
}

async function run(request: BenchConvsRequest): Promise<BenchConvsResult> {
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`the WASM backend did not start (${tf.getBackend()})`);
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? getThreadsCount() : 1;

  const convs = request.convs.map((c, i) => makeConv(c, 100 + 10 * i));
  let samples: number[][];
  try {
    samples = interleaved(
      convs.map((c) => c.call),
      request.warmup,
      request.runs,
    );
  } finally {
    convs.forEach((c) => c.dispose());
  }
  // A GEMM call is ~20x a typical convolution's work: fewer samples.
  const gemmRuns = Math.max(3, Math.round(request.runs / 3));
  const gemm = request.gemm > 0 ? timeGemm(request.gemm, 2, gemmRuns) : null;
  const network = await timeNetwork(request);
  return {
    backend: {
      name: tf.getBackend(),
      simd,
      threads,
      hardwareConcurrency: navigator.hardwareConcurrency,
      crossOriginIsolated: self.crossOriginIsolated,
    },
    userAgent: navigator.userAgent,
    convs: samples.map((s, i) => ({ key: request.convs[i]!.key, ...summarize(s) })),
    network,
    gemm,
  };
}

self.onmessage = (event: MessageEvent<BenchConvsRequest>) => {
  run(event.data).then(
    (result) => self.postMessage({ ok: true, result } satisfies BenchConvsReply),
    (err: unknown) =>
      self.postMessage({
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      } satisfies BenchConvsReply),
  );
};
