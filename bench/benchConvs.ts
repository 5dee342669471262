/**
 * What crosses between `bench-convs.html` (./benchConvsPage.ts) and its worker
 * (./benchConvs.worker.ts): which convolutions to time, and their times. `npm run bench:convs`
 * (scripts/bench-convs.mjs) makes the list and reads the answer. Types only.
 */
import type { BuildFlavor, BuildableVariantId } from '../src/shared/variants';

/** One convolution as the fast path runs it: batch 1, NHWC, HWIO kernel, conv + bias (+ ReLU) as one op. */
export interface ConvShape {
  /** Stable name, e.g. `56x56x64 k3 s1 -> 64 +b +relu`. */
  key: string;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  kernel: number;
  stride: number;
  outChannels: number;
  /** How the app pads it: 'same' (reference flavor) or symmetric `(kernel - 1) / 2` (torchvision flavor). */
  pad: 'same' | 'symmetric';
  bias: boolean;
  relu: boolean;
}

export interface BenchConvsRequest {
  convs: ConvShape[];
  /** Untimed calls per convolution first (the first one creates and packs the XNNPACK operator). */
  warmup: number;
  /** Timed calls per convolution, taken in interleaved rounds (one call of each convolution per round). */
  runs: number;
  /** The whole network, for the fraction of a forward pass spent in convolutions. */
  network: { variant: BuildableVariantId; flavor: BuildFlavor; runs: number; profileRuns: number };
  /** Square GEMM size for the WASM ceiling (as a 1x1 convolution and as tf.matMul); 0 skips it. */
  gemm: number;
}

export interface Samples {
  medianMs: number;
  minMs: number;
  p25Ms: number;
  p75Ms: number;
  maxMs: number;
  runs: number;
}

/** One FusedConv2D kernel of the profiled forward pass, in execution order. */
export interface NetworkConv {
  inputShape: number[];
  filterShape: number[];
  hasBias: boolean;
  /** Median over the profiled passes of this kernel's time (tf.profile's kernelTimeMs). */
  medianMs: number;
}

export interface BenchConvsResult {
  backend: {
    name: string;
    simd: boolean;
    threads: number;
    hardwareConcurrency: number;
    crossOriginIsolated: boolean;
  };
  userAgent: string;
  convs: (Samples & { key: string })[];
  network: {
    /** classifyTensor(one image, top 5): what `npm run bench` reports as the warm median. */
    classify: Samples;
    /** tf.profile of `profileRuns` passes of the logits: kernel time by kernel name (median pass), ms. */
    kernelsMs: Record<string, number>;
    /** Sum of the kernels' times of the median pass (the rest of a pass is TF.js dispatch outside kernels). */
    kernelTotalMs: number;
    fusedConvs: NetworkConv[];
    profileRuns: number;
  };
  gemm: { size: number; conv1x1: Samples; matMul: Samples } | null;
}

/** The worker's one answer to the request posted to it. */
export type BenchConvsReply = { ok: true; result: BenchConvsResult } | { ok: false; error: string };
