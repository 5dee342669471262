// Each method's formula on hand-made tensors, against a plain-JS transcription of its definition, over a toy
// split network whose gradients are known in closed form.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';

import { upsampleBilinear } from '../model/featureMaps';
import type { ExplainableStage, RandomizationLevel, SplitNetwork } from '../model/splitNetwork';
import { dividedByMax } from './attributionMap';
import { classActivationMap } from './classActivationMap';
import { cascadingRandomization, computeMap } from './explainer';
import type { ExplainTarget } from './explainer';
import { areaUnderCurve, attributionOrder, deletionInsertion } from './faithfulness';
import { occlusionGrid } from './occlusion';
import { averageRanks, spearman } from './rankCorrelation';
import { JobCancelledError } from '../shared/jobs';
import { inBatches, quietControl } from './runControl';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZE = 8;
const CLASSES = 3;
/** The toy's one stage: a 4x4 grid of K = 3 channels, A = relu(avgPool2x2(x) * gain + offset). */
const H = 4;
const K = 3;

/** Deterministic values in [-1, 1) (a fixed sine pattern is enough for hand-made tensors). */
const pattern = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed));

/**
 * scores_c = sum(A * M_c) + q_c * sum(A^2): the gradient is M_c + 2 q_c A, position by position, so each
 * method's weights can be written out by hand. M has exact zeros, so Grad-CAM++'s g = 0 case happens.
 */
class ToyNetwork implements SplitNetwork {
  readonly stages: readonly ExplainableStage[] = ['layer4'];
  readonly m: Float32Array;
  readonly q = [0, 0.3, -0.2];
  constructor(scale = 1) {
    this.m = pattern(CLASSES * H * H * K, 2).map((v, i) => (i % 5 === 0 ? 0 : v * scale));
  }
  toStage(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.relu(tf.add(tf.mul(tf.avgPool(x, 2, 2, 'valid'), 2), 0.2)));
  }
  fromStage(a: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const n = a.shape[0];
      const flat = tf.reshape(a, [n, H * H * K]);
      const linear = tf.matMul(flat, tf.transpose(tf.tensor2d(this.m, [CLASSES, H * H * K])));
      const squares = tf.sum(tf.square(flat), 1, true);
      return tf.add(linear, tf.mul(squares, tf.tensor2d([this.q], [1, CLASSES]))) as tf.Tensor2D;
    });
  }
  scores(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.fromStage(this.toStage(x)));
  }
  stageShape(): [number, number, number] {
    return [H, H, K];
  }
  // Cut at its one stage only: explanations never ask for a block.
  readonly blocks: readonly string[] = [];
  toBlock(): tf.Tensor4D {
    throw new RangeError('The toy has no blocks');
  }
  blockShape(): [number, number, number] {
    throw new RangeError('The toy has no blocks');
  }
  probedScores(
    x: tf.Tensor4D,
    probes: ReadonlyMap<ExplainableStage, tf.Tensor4D>,
    seen: (stage: ExplainableStage, activation: tf.Tensor4D) => void,
  ): tf.Tensor2D {
    const a = this.toStage(x);
    const probe = probes.get('layer4');
    if (!probe) return this.fromStage(a);
    seen('layer4', a);
    return this.fromStage(tf.add(a, probe));
  }
  randomizedFrom(_level: RandomizationLevel, seed: number): SplitNetwork {
    return new ToyNetwork(-0.5 - seed / 100);
  }
  dispose(): void {}
}

function toyTarget(classIndex = 1): ExplainTarget {
  return {
    network: new ToyNetwork(),
    x: tf.tensor4d(pattern(SIZE * SIZE * 3, 1), [1, SIZE, SIZE, 3]),
    baseline: tf.zeros([1, SIZE, SIZE, 3]) as tf.Tensor4D,
    classIndex,
    control: quietControl(),
  };
}

/** The toy's activation and closed-form gradient for class c, as plain arrays [h][w][k] flattened. */
function handMade(target: ExplainTarget) {
  const toy = target.network as unknown as ToyNetwork;
  const a = toy.toStage(target.x).dataSync() as Float32Array;
  const c = target.classIndex;
  const g = a.map((v, i) => toy.m[c * H * H * K + i]! + 2 * toy.q[c]! * v);
  return { a, g };
}

const weighted = (a: Float32Array, w: (p: number, k: number) => number, relu: boolean) =>
  Float32Array.from({ length: H * H }, (_, p) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += w(p, k) * a[p * K + k]!;
    return relu ? Math.max(0, s) : s;
  });

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-5) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]!, `value ${i}`).toBeCloseTo(v, -Math.log10(tolerance)));
}

describe('class activation map family, by hand', () => {
  it('Grad-CAM: channel weights are the gradient spatial means', async () => {
    const target = toyTarget();
    const { a, g } = handMade(target);
    const mean = (k: number) =>
      Array.from({ length: H * H }, (_, p) => g[p * K + k]!).reduce((s, v) => s + v) / 16;
    const map = await computeMap('gradcam', 'layer4', target);
    expect([map.height, map.width]).toEqual([H, H]);
    expectClose(
      map.values,
      weighted(a, (_, k) => mean(k), true),
    );
  });

  it('Grad-CAM++: alpha = g^2 / (2 g^2 + sum(A) g^3), zero where g = 0', async () => {
    const target = toyTarget(0);
    const { a, g } = handMade(target);
    expect(g.some((v) => v === 0)).toBe(true);
    const weight = (k: number) => {
      let sumA = 0;
      for (let p = 0; p < H * H; p++) sumA += a[p * K + k]!;
      let w = 0;
      for (let p = 0; p < H * H; p++) {
        const gp = g[p * K + k]!;
        const denominator = 2 * gp ** 2 + sumA * gp ** 3;
        const alpha = gp === 0 || denominator === 0 ? 0 : gp ** 2 / denominator;
        w += alpha * Math.max(0, gp);
      }
      return w;
    };
    expectClose(
      (await computeMap('gradcampp', 'layer4', target)).values,
      weighted(a, (_, k) => weight(k), true),
    );
  });

  it('LayerCAM: each position weighted by its own positive gradient', async () => {
    const target = toyTarget(2);
    const { a, g } = handMade(target);
    const map = await computeMap('layercam', 'layer4', target);
    expectClose(
      map.values,
      weighted(a, (p, k) => Math.max(0, g[p * K + k]!), true),
    );
  });

  it('CAM through gradients equals the classic fc-kernel CAM (no ReLU) on a GAP + dense head', async () => {
    const kernel = pattern(K * CLASSES, 5);
    const head = Object.assign(new ToyNetwork(), {
      fromStage: (a: tf.Tensor4D) =>
        tf.tidy(() => tf.matMul(tf.mean(a, [1, 2]), tf.tensor2d(kernel, [K, CLASSES])) as tf.Tensor2D),
    });
    const target = { ...toyTarget(0), network: head };
    const a = new ToyNetwork().toStage(target.x);
    const classic = classActivationMap(
      { data: a.dataSync() as Float32Array, height: H, width: H, channels: K },
      kernel,
      CLASSES,
      0,
    );
    expect(classic.some((v) => v < 0)).toBe(true);
    expectClose((await computeMap('cam', 'layer4', target)).values, classic);
  });

  it('CAM refuses any stage but the last', async () => {
    const target = toyTarget();
    const twoStages: SplitNetwork = Object.assign(new ToyNetwork(), {
      stages: ['layer3', 'layer4'] as const,
    });
    await expect(computeMap('cam', 'layer3', { ...target, network: twoStages })).rejects.toThrow(
      /last stage/,
    );
  });

  it('Score-CAM: upsampled, min-max normalized channels mask the input; weights are softmax probabilities', async () => {
    const target = toyTarget();
    const toy = target.network as unknown as ToyNetwork;
    const { a } = handMade(target);
    const x = target.x.dataSync() as Float32Array;
    const weights = Array.from({ length: K }, (_, k) => {
      const channel = Float32Array.from({ length: H * H }, (_, p) => a[p * K + k]!);
      const up = upsampleBilinear(channel, H, H, SIZE, SIZE);
      const lo = Math.min(...up);
      const hi = Math.max(...up);
      const mask = up.map((v) => (hi === lo ? 0 : (v - lo) / (hi - lo)));
      const masked = x.map((v, i) => v * mask[Math.floor(i / 3)]!);
      const scores = toy.scores(tf.tensor4d(masked, [1, SIZE, SIZE, 3])).dataSync();
      const exp = Array.from(scores, (s) => Math.exp(s - Math.max(...scores)));
      return exp[target.classIndex]! / exp.reduce((s, v) => s + v);
    });
    expectClose(
      (await computeMap('scorecam', 'layer4', target)).values,
      weighted(a, (_, k) => weights[k]!, true),
    );
  });

  it('the export format divides by the maximum and leaves a map with no positive value alone', () => {
    expect(Array.from(dividedByMax(Float32Array.from([1, 2, 4, -2])))).toEqual([0.25, 0.5, 1, -0.5]);
    expect(Array.from(dividedByMax(Float32Array.from([0, 0])))).toEqual([0, 0]);
  });
});

describe('input-level methods, by hand', () => {
  it('occlusion: the patch grid and the probability drop under each patch', async () => {
    expect(occlusionGrid(224, { patch: 32, stride: 16 })).toHaveLength(13);
    expect(occlusionGrid(224, { patch: 56, stride: 28 })).toEqual([0, 28, 56, 84, 112, 140, 168]);
    expect(() => occlusionGrid(224, { patch: 300, stride: 16 })).toThrow(RangeError);
    const target = toyTarget();
    const toy = target.network as unknown as ToyNetwork;
    const probability = (pixels: Float32Array) => {
      const s = toy.scores(tf.tensor4d(pixels, [1, SIZE, SIZE, 3])).dataSync();
      const exp = Array.from(s, (v) => Math.exp(v));
      return exp[target.classIndex]! / exp.reduce((a, b) => a + b);
    };
    const x = target.x.dataSync() as Float32Array;
    const map = await computeMap('occlusion', 'input', { ...target, occlusion: { patch: 4, stride: 2 } });
    expect([map.height, map.width]).toEqual([3, 3]);
    const expected = Float32Array.from({ length: 9 }, (_, cell) => {
      const top = Math.floor(cell / 3) * 2;
      const left = (cell % 3) * 2;
      const occluded = x.map((v, i) => {
        const p = Math.floor(i / 3);
        const [y, xx] = [Math.floor(p / SIZE), p % SIZE];
        return y >= top && y < top + 4 && xx >= left && xx < left + 4 ? 0 : v;
      });
      return probability(x) - probability(occluded);
    });
    expectClose(map.values, expected);
  });

  it('integrated gradients are exact (complete) on a network linear in its input', async () => {
    const w = pattern(SIZE * SIZE * 3, 9);
    const linear: SplitNetwork = Object.assign(new ToyNetwork(), {
      scores: (x: tf.Tensor4D) =>
        tf.tidy(() => {
          const s = tf.sum(tf.mul(x, tf.tensor4d(w, [1, SIZE, SIZE, 3])), [1, 2, 3]);
          return tf.stack([s, tf.neg(s)], 1) as tf.Tensor2D;
        }),
    });
    const target = {
      ...toyTarget(0),
      network: linear,
      baseline: tf.fill([1, SIZE, SIZE, 3], -0.5) as tf.Tensor4D,
    };
    const map = await computeMap('ig', 'input', target);
    const x = target.x.dataSync();
    const expected = Float32Array.from({ length: SIZE * SIZE }, (_, p) =>
      [0, 1, 2].reduce((s, c) => s + (x[p * 3 + c]! + 0.5) * w[p * 3 + c]!, 0),
    );
    expectClose(map.values, expected);
    expect(map.completeness!.attributionSum).toBeCloseTo(map.completeness!.scoreDifference, 4);
  });
});

describe('faithfulness', () => {
  it('orders pixels by attribution, ties by index', () => {
    expect(Array.from(attributionOrder([0.1, 0.5, 0.5, 0.9, 0.1]))).toEqual([3, 1, 2, 0, 4]);
  });

  it('areas under the curve by the trapezoid rule over [0, 1]', () => {
    expect(areaUnderCurve([1, 1, 1])).toBeCloseTo(1);
    expect(areaUnderCurve([1, 0])).toBeCloseTo(0.5);
    expect(areaUnderCurve([0, 0.5, 1, 0.5, 0])).toBeCloseTo(0.5);
  });

  it('deletion starts at the clean probability and ends at the all-mean image; insertion the other way', async () => {
    const target = toyTarget();
    const toy = target.network as unknown as ToyNetwork;
    const p = (x: tf.Tensor4D) => tf.softmax(toy.scores(x)).dataSync()[target.classIndex]!;
    const saliency = pattern(SIZE * SIZE, 4);
    const curves = await deletionInsertion({ ...target, saliency, steps: 4 });
    expect(curves.deletion).toHaveLength(5);
    expect(curves.deletion[0]).toBeCloseTo(p(target.x), 5);
    expect(curves.deletion[4]).toBeCloseTo(p(tf.zerosLike(target.x)), 5);
    expect(curves.insertion[4]).toBeCloseTo(p(target.x), 5);
    expect(curves.deletionAuc).toBeCloseTo(areaUnderCurve(curves.deletion), 6);
  });
});

describe('rank correlation and the sanity cascade', () => {
  it("Spearman's rho with tied ranks averaged", () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 10);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
  });

  it('maps each randomization level, and a map that follows the weights decorrelates', async () => {
    const target = toyTarget();
    const steps = await cascadingRandomization('layercam', 'layer4', target, 3);
    expect(steps.map((s) => s.level)).toEqual(['original', 'fc', 'layer4']);
    expect(steps[0]!.rankCorrelation).toBe(1);
    expect(steps[1]!.rankCorrelation).toBeLessThan(0.9);
  });
});

describe('cancellation', () => {
  it('stops between batches with the named error, after reporting progress', async () => {
    const control = quietControl();
    const seen: number[] = [];
    control.onProgress = (p) => seen.push(p.fraction ?? -1);
    const run = inBatches(100, control, 'work', async () => {
      control.signal.cancelled = seen.length >= 2;
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    await expect(run).rejects.toBeInstanceOf(JobCancelledError);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)!).toBeLessThan(1);
  });

  it('waits at a checkpoint while held, and reads a cancel made meanwhile once let go', async () => {
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    let pauses = 0;
    const control = {
      ...quietControl(),
      pause: () => {
        pauses++;
        return held;
      },
    };
    let batches = 0;
    const run = inBatches(10, control, 'work', async () => void batches++);
    const settled = vi.fn();
    run.then(settled, settled);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Held before its first batch: nothing ran, nothing settled.
    expect([pauses, batches, settled.mock.calls.length]).toEqual([1, 0, 0]);
    control.signal.cancelled = true;
    letGo();
    await expect(run).rejects.toBeInstanceOf(JobCancelledError);
    expect(batches).toBe(0);
  });
});
