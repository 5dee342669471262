import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { blockOutputsOf } from './blockValues';
import { buildResNet } from './buildResNet';
import { FastResNet } from './fastResNet';
import { FastSplitNetwork, LayerGraphNetwork } from './splitNetwork';
import type { ExplainableStage } from './splitNetwork';
import { describeNetwork } from './networkGraph';
import { summarizeStages } from './stageSummary';
import { RESNET18_BLOCKS } from '../testing/resnet18Blocks';
import { setWasmBackend } from '../testing/wasmBackend';

const STAGES: ExplainableStage[] = ['stem', 'layer1', 'layer2', 'layer3', 'layer4'];
const BLOCKS = RESNET18_BLOCKS;

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

// Small inputs: every op here is convolutional, so 64x64 exercises the same code at a twelfth of the cost.
describe('split networks over ResNet18 (torchvision layout)', () => {
  let model: LayersModel;
  let fast: FastResNet;
  let fastSplit: FastSplitNetwork;
  let graphSplit: LayerGraphNetwork;
  let x: tf.Tensor4D;
  let tensorsBefore: number;

  beforeAll(async () => {
    await setWasmBackend();
    tensorsBefore = tf.memory().numTensors;
    model = await buildResNet({ variant: 'resnet18', flavor: 'torchvision', seed: 7 });
    fast = FastResNet.fromLayersModel(model, 'resnet18', 'torchvision');
    const summary = summarizeStages(model, 'resnet18', 'torchvision');
    const stages = summary.stages
      .filter((s) => s.stage !== 'fc')
      .map((s) => ({
        stage: s.stage as ExplainableStage,
        outputLayer: s.outputLayer,
        outputShape: s.outputShape as [number, number, number],
      }));
    const blocks = blockOutputsOf(describeNetwork(model, 'resnet18', 'torchvision'));
    fastSplit = new FastSplitNetwork(fast, stages, blocks);
    graphSplit = new LayerGraphNetwork(model, stages, blocks);
    x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 3);
  });

  afterAll(() => {
    // Both keep the gradient kernels their differentiable passes made until disposed; then nothing is left.
    x.dispose();
    graphSplit.dispose();
    fast.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('cuts anywhere: the stage output and the rest give the whole network', async () => {
    const whole = fastSplit.scores(x);
    for (const stage of STAGES) {
      const rejoined = tf.tidy(() => fastSplit.fromStage(fastSplit.toStage(x, stage), stage));
      expect(await maxAbsDiff(rejoined, whole), stage).toBeLessThan(1e-4);
      rejoined.dispose();
    }
    whole.dispose();
  });

  it('the layer graph (how ResNet50 is cut) computes what the fast path does, at every stage', async () => {
    for (const stage of STAGES) {
      const [a, b] = [fastSplit.toStage(x, stage), graphSplit.toStage(x, stage)];
      expect(await maxAbsDiff(a, b), stage).toBeLessThan(1e-4);
      tf.dispose([a, b]);
    }
    const [a, b] = [fastSplit.scores(x), graphSplit.scores(x)];
    expect(await maxAbsDiff(a, b)).toBeLessThan(1e-4);
    tf.dispose([a, b]);
  });

  it('differentiable ops give the same numbers as the fused ones, and gradients flow through both splits', async () => {
    const [a, b] = [fastSplit.scores(x), fastSplit.scores(x, true)];
    expect(await maxAbsDiff(a, b)).toBeLessThan(1e-4);
    tf.dispose([a, b]);
    const activation = fastSplit.toStage(x, 'layer3');
    const score = (net: typeof fastSplit | typeof graphSplit) => (h: tf.Tensor) =>
      tf.sum(tf.slice(net.fromStage(h as tf.Tensor4D, 'layer3', true), [0, 5], [1, 1]));
    const [g1, g2] = [tf.grad(score(fastSplit))(activation), tf.grad(score(graphSplit))(activation)];
    const scale = tf.tidy(() => tf.max(tf.abs(g1)).dataSync()[0]!);
    expect(scale).toBeGreaterThan(0);
    expect(await maxAbsDiff(g1, g2)).toBeLessThan(1e-4 * Math.max(1, scale));
    tf.dispose([activation, g1, g2]);
  });

  it("cuts at each block as the Network view names it, both ways, a stage's last block being the stage", async () => {
    expect(fastSplit.blocks).toEqual(BLOCKS);
    expect(graphSplit.blocks).toEqual(BLOCKS);
    expect(graphSplit.blockShape('layer3.0')).toEqual([14, 14, 256]);
    for (const block of BLOCKS) {
      // The folded fast path, the layers model's own layers run to the block's output layer, and the gradient ops.
      const [a, b, c] = [
        fastSplit.toBlock(x, block),
        graphSplit.toBlock(x, block),
        fastSplit.toBlock(x, block, true),
      ];
      expect(a.shape[3], block).toBe(fastSplit.blockShape(block)[2]);
      expect(await maxAbsDiff(a, b), block).toBeLessThan(1e-4);
      expect(await maxAbsDiff(a, c), `${block} differentiable`).toBeLessThan(1e-4);
      tf.dispose([a, b, c]);
    }
    const [first, last, stage] = [
      fastSplit.toBlock(x, 'layer3.0'),
      fastSplit.toBlock(x, 'layer3.1'),
      fastSplit.toStage(x, 'layer3'),
    ];
    expect(await maxAbsDiff(last, stage)).toBe(0);
    expect(await maxAbsDiff(first, stage)).toBeGreaterThan(1e-3);
    tf.dispose([first, last, stage]);
    for (const net of [fastSplit, graphSplit]) {
      expect(() => net.toBlock(x, 'layer5.0')).toThrow(/no block layer5\.0/);
      expect(() => net.blockShape('layer3')).toThrow(/no block layer3/);
    }
  });

  it("probes give each stage's gradient and activation from one pass, as cutting there does", async () => {
    // Stage shapes for this 64x64 input (the summary's are for 224).
    const shapes: Record<string, [number, number, number, number]> = {
      layer2: [1, 8, 8, 128],
      layer4: [1, 2, 2, 512],
    };
    for (const net of [fastSplit, graphSplit]) {
      const stages = ['layer2', 'layer4'] as const;
      const probes = stages.map((s) => tf.zeros(shapes[s]!) as tf.Tensor4D);
      const seen = new Map<string, tf.Tensor4D>();
      const grads = tf.grads((...p: tf.Tensor[]) =>
        tf.sum(
          tf.slice(
            net.probedScores(x, new Map(stages.map((s, i) => [s, p[i] as tf.Tensor4D])), (s, a) =>
              seen.set(s, tf.keep(a)),
            ),
            [0, 7],
            [1, 1],
          ),
        ),
      )(probes);
      for (const [i, stage] of stages.entries()) {
        const activation = net.toStage(x, stage);
        const cut = tf.grad((a) =>
          tf.sum(tf.slice(net.fromStage(a as tf.Tensor4D, stage, true), [0, 7], [1, 1])),
        )(activation);
        expect(await maxAbsDiff(seen.get(stage)!, activation), `${stage} activation`).toBeLessThan(1e-4);
        expect(await maxAbsDiff(grads[i]!, cut), `${stage} gradient`).toBeLessThan(1e-4);
        tf.dispose([activation, cut]);
      }
      tf.dispose([...probes, ...grads, ...seen.values()]);
    }
  });

  it.each([
    ['fc', 5],
    ['layer3', 3],
    ['stem', 0],
  ] as const)(
    'randomizing from %s re-draws that part only, and frees only its own weights',
    async (level, firstChanged) => {
      for (const net of [fastSplit, graphSplit]) {
        const tensors = tf.memory().numTensors;
        const randomized = net.randomizedFrom(level, 11);
        for (const [i, stage] of STAGES.entries()) {
          const [a, b] = [net.toStage(x, stage), randomized.toStage(x, stage)];
          const diff = await maxAbsDiff(a, b);
          if (i < firstChanged) expect(diff, `${stage} kept`).toBe(0);
          else expect(diff, `${stage} re-drawn`).toBeGreaterThan(1e-3);
          tf.dispose([a, b]);
        }
        const [a, b] = [net.scores(x), randomized.scores(x)];
        expect(await maxAbsDiff(a, b)).toBeGreaterThan(1e-3);
        tf.dispose([a, b]);
        randomized.dispose();
        expect(tf.memory().numTensors).toBe(tensors);
      }
    },
  );

  it('the same seed re-draws the same weights', async () => {
    const [r1, r2] = [fastSplit.randomizedFrom('layer2', 5), fastSplit.randomizedFrom('layer2', 5)];
    const [a, b] = [r1.scores(x), r2.scores(x)];
    expect(await maxAbsDiff(a, b)).toBe(0);
    tf.dispose([a, b]);
    r1.dispose();
    r2.dispose();
  });
});
