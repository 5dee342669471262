import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  RESNET50_EXPECTED_STAGES,
  RESNET50_INPUT,
  RESNET50_NON_TRAINABLE_PARAMS,
  RESNET50_OUTPUT,
  RESNET50_STAGES,
  RESNET50_TOTAL_PARAMS,
  RESNET50_TRAINABLE_PARAMS,
  type ResNet50Stage,
  resnet50StageOfLayer,
  summarizeResNet50,
} from './resnet50';
import { describeNetwork } from './networkGraph';
import { LayerGraphNetwork } from './splitNetwork';
import type { ExplainableStage } from './splitNetwork';
import { setWasmBackend } from '../testing/wasmBackend';

// Fetched by scripts/fetch-resnet50.mjs and gitignored, so a checkout without it skips the model tests.
const MODEL_DIR = fileURLToPath(new URL('../../public/models/resnet50/', import.meta.url));
const haveModel = existsSync(`${MODEL_DIR}model.json`);

describe('resnet50StageOfLayer', () => {
  it.each([
    ['conv1_pad', 'stem'],
    ['conv1', 'stem'],
    ['bn_conv1', 'stem'],
    ['activation', 'stem'],
    ['max_pooling2d', 'stem'],
    ['res2a_branch2a', 'conv2'],
    ['bn2a_branch1', 'conv2'],
    ['activation_1', 'conv2'],
    ['add', 'conv2'],
    ['add_2', 'conv2'],
    ['activation_9', 'conv2'],
    ['res3a_branch1', 'conv3'],
    ['activation_10', 'conv3'],
    ['add_3', 'conv3'],
    ['activation_21', 'conv3'],
    ['bn4f_branch2c', 'conv4'],
    ['activation_22', 'conv4'],
    ['add_12', 'conv4'],
    ['res5c_branch2c', 'conv5'],
    ['add_15', 'conv5'],
    ['activation_48', 'conv5'],
    ['fc1000', 'fc'],
  ] as const)('%s is in %s', (name, stage) => {
    expect(resnet50StageOfLayer(name)).toBe(stage);
  });

  it.each([
    'input_1',
    'avg_pool',
    'activation_49',
    'add_16',
    'activation_0',
    'res6a_branch2a',
    'res2a_branch3',
  ])('%s is in no stage', (name) => {
    expect(resnet50StageOfLayer(name)).toBeNull();
  });
});

describe.skipIf(!haveModel)('the fetched ResNet50 (public/models/resnet50)', () => {
  interface KerasLayer {
    name: string;
    class_name: string;
    inbound_nodes: [string, number, number, unknown][][];
  }
  let model: LayersModel;
  let modelJson: {
    modelTopology: { model_config: { config: { layers: KerasLayer[] } } };
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };

  beforeAll(async () => {
    await setWasmBackend();
    modelJson = JSON.parse(readFileSync(`${MODEL_DIR}model.json`, 'utf8')) as typeof modelJson;
    const shards = modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(MODEL_DIR + p));
    const weights = Buffer.concat(shards);
    // model.json exactly as fetched: this is the proof that TF.js 4.22 needs no rewrite of it.
    model = await loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
  });

  afterAll(() => {
    model?.dispose();
  });

  it('puts every layer in a stage except the input and the weightless pooling', () => {
    const layers = modelJson.modelTopology.model_config.config.layers;
    expect(layers).toHaveLength(177);
    const unassigned = layers.filter((l) => resnet50StageOfLayer(l.name) === null).map((l) => l.name);
    expect(unassigned).toEqual(['input_1', 'avg_pool']);
  });

  it('places the numbered ReLUs and adds in the stage of the layer feeding them', () => {
    // The counter-based rule for activation_N/add_N is only right if it agrees with the graph; stages
    // also never go backwards along an edge (avg_pool, in no stage, is skipped).
    const order = (s: ResNet50Stage | null) => (s === null ? -1 : RESNET50_STAGES.indexOf(s));
    for (const layer of modelJson.modelTopology.model_config.config.layers) {
      const stage = resnet50StageOfLayer(layer.name);
      if (stage === null) continue;
      const inbound = (layer.inbound_nodes[0] ?? []).map((n) => n[0]);
      for (const from of inbound)
        expect(order(stage)).toBeGreaterThanOrEqual(order(resnet50StageOfLayer(from)));
      if (/^(activation|add)(_\d+)?$/.test(layer.name)) {
        expect({ layer: layer.name, stage }).toEqual({
          layer: layer.name,
          stage: resnet50StageOfLayer(inbound[0]!),
        });
      }
    }
  });

  it('reproduces the stage table, 25,636,712 parameters in all', () => {
    const summary = summarizeResNet50(model);
    for (const s of summary.stages) {
      const want = RESNET50_EXPECTED_STAGES[s.stage];
      expect(s).toEqual({ stage: s.stage, ...want, outputShape: [...want.outputShape] });
    }
    expect(summary.totalParams).toBe(RESNET50_TOTAL_PARAMS);
    expect(RESNET50_TOTAL_PARAMS).toBe(25_636_712);
    expect(model.countParams()).toBe(25_636_712);
    expect(summary.trainableParams).toBe(RESNET50_TRAINABLE_PARAMS);
    expect(summary.nonTrainableParams).toBe(RESNET50_NON_TRAINABLE_PARAMS);
  });

  it('cut at its stages, gives pre-softmax scores whose softmax is its output, and CAM from gradients', async () => {
    const summary = summarizeResNet50(model);
    const network = new LayerGraphNetwork(
      model,
      summary.stages
        .filter((s) => s.stage !== 'fc')
        .map((s) => ({
          stage: s.stage as ExplainableStage,
          outputLayer: s.outputLayer,
          outputShape: s.outputShape as [number, number, number],
        })),
    );
    expect(network.stages).toEqual(['stem', 'conv2', 'conv3', 'conv4', 'conv5']);
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([1, 224, 224, 3], 0, 30, 'float32', 5) as tf.Tensor4D;
    const expected = model.predict(x) as tf.Tensor2D;
    const conv5 = network.toStage(x, 'conv5');
    const scores = network.fromStage(conv5, 'conv5');
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.softmax(scores), expected))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    // Through the layer graph's own differentiable ops: the gradient's spatial sum at conv5 is the fc column.
    const top = tf.tidy(() => tf.argMax(scores, 1).dataSync()[0]!);
    const gradient = tf.grad((a) =>
      tf.sum(tf.slice(network.fromStage(a as tf.Tensor4D, 'conv5', true), [0, top], [1, 1])),
    )(conv5);
    const fcColumn = tf.tidy(() => tf.slice(model.getLayer('fc1000').getWeights()[0]!, [0, top], [2048, 1]));
    const summed = tf.tidy(() => tf.reshape(tf.sum(gradient, [0, 1, 2]), [2048, 1]));
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(summed, fcColumn))).dataSync()[0]!);
    expect(gap).toBeLessThan(1e-5);
    tf.dispose([x, expected, conv5, scores, gradient, fcColumn, summed]);
    network.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("draws as a graph with TF.js' own parameter count, 3,857,973,248 MACs and a projection per stage", () => {
    const graph = describeNetwork(model, 'resnet50', 'keras');
    expect(graph.totalParams).toBe(model.countParams());
    expect(graph.totalMacs).toBe(3_857_973_248);
    const blocks = graph.nodes.filter((n) => n.kind === 'block');
    expect(blocks.map((b) => b.id)).toEqual(
      [3, 4, 6, 3].flatMap((count, s) =>
        Array.from({ length: count }, (_, b) => `conv${s + 2}_block${b + 1}`),
      ),
    );
    expect(blocks.map((b) => b.shortcut)).toEqual(
      [3, 4, 6, 3].flatMap((count) => ['projection', ...Array<string>(count - 1).fill('identity')]),
    );
    // Keras' v1 bottleneck strides on its first 1x1 convolution (torchvision's v1.5 on the 3x3).
    expect(graph.nodes.find((n) => n.id === 'conv3_block1')!.layers[0]).toMatchObject({
      name: 'res3a_branch2a',
      detail: '1x1, stride 2',
      path: 'residual',
    });
    for (const stage of summarizeResNet50(model).stages) {
      const nodes = graph.nodes.filter((n) => n.stage === stage.stage);
      expect({ stage: stage.stage, params: nodes.reduce((a, n) => a + n.params, 0) }).toEqual({
        stage: stage.stage,
        params: stage.params,
      });
      expect(nodes.at(-1)!.outputShape).toEqual(stage.outputShape);
    }
  });

  it('has the input and output layers the app relies on', () => {
    expect(model.inputLayers.map((l) => l.name)).toEqual([RESNET50_INPUT.layerName]);
    expect(model.inputs[0]!.shape).toEqual([null, ...RESNET50_INPUT.shape]);
    const last = model.layers[model.layers.length - 1]!;
    expect(last.name).toBe(RESNET50_OUTPUT.layerName);
    expect(last.getConfig()['activation']).toBe(RESNET50_OUTPUT.activation);
    expect(model.outputs[0]!.shape).toEqual([null, RESNET50_OUTPUT.units]);
  });
});
