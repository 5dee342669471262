import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildResNet } from './buildResNet';
import type { LayersModel } from './buildResNet';
import { describeNetwork } from './networkGraph';
import type { NetworkGraph, NetworkNode } from '../shared/network';
import { stagesOf } from '../shared/network';
import type { BuildFlavor, BuildableVariantId } from '../shared/variants';

interface TorchLayer {
  module: string;
  kind: string;
  outputShape: number[];
  params: number;
  macs: number;
}
interface TorchNode {
  id: string;
  params: number;
  macs: number;
  outputShape: number[];
  layers: TorchLayer[];
}
// Written by scripts/make_network_reference.py from forward hooks on torchvision's models.
const torch = (
  JSON.parse(readFileSync(new URL('./__fixtures__/network.torchvision.json', import.meta.url), 'utf8')) as {
    models: Record<BuildableVariantId, { totalParams: number; totalMacs: number; nodes: TorchNode[] }>;
  }
).models;

/** torchvision's module path to the name buildResNet gives the layer (`layer2.0.downsample.0` -> ..._conv). */
function layerName(module: string): string {
  const stem: Record<string, string> = { conv1: 'stem_conv', bn1: 'stem_bn', fc: 'fc' };
  return (
    stem[module] ??
    module
      .replace('.downsample.0', '.downsample_conv')
      .replace('.downsample.1', '.downsample_bn')
      .replace(/\./g, '_')
  );
}

const built = new Map<string, { model: LayersModel; graph: NetworkGraph }>();

async function graphOf(variant: BuildableVariantId, flavor: BuildFlavor): Promise<NetworkGraph> {
  const key = `${variant}/${flavor}`;
  if (!built.has(key)) {
    // Zeros: counts and shapes do not depend on the weights, and drawing 20M random numbers would cost seconds.
    const model = await buildResNet({ variant, flavor, init: 'zeros' });
    built.set(key, { model, graph: describeNetwork(model, variant, flavor) });
  }
  return built.get(key)!.graph;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  built.forEach(({ model }) => model.dispose());
});

const node = (graph: NetworkGraph, id: string): NetworkNode => graph.nodes.find((n) => n.id === id)!;

describe.each(['resnet18', 'resnet34'] as const)("%s in torchvision's layout", (variant) => {
  it('has every node PyTorch has, with its parameters, MACs and output shape', async () => {
    const graph = await graphOf(variant, 'torchvision');
    const want = torch[variant];
    expect(graph.nodes.map((n) => n.id)).toEqual(want.nodes.map((n) => n.id));
    for (const expected of want.nodes) {
      const got = node(graph, expected.id);
      expect({ id: got.id, params: got.params, macs: got.macs, shape: got.outputShape }).toEqual({
        id: expected.id,
        params: expected.params,
        macs: expected.macs,
        shape: expected.outputShape,
      });
    }
    expect(graph.totalParams).toBe(want.totalParams);
    expect(graph.totalMacs).toBe(want.totalMacs);
  });

  it('has every convolution, BatchNorm and linear layer PyTorch has, layer by layer', async () => {
    const graph = await graphOf(variant, 'torchvision');
    for (const expected of torch[variant].nodes) {
      // By name: TF.js orders a block's layers by depth, so the shortcut's come between the branch's.
      const weighted = new Map(
        node(graph, expected.id)
          .layers.filter((l) => l.params > 0)
          .map((l) => [l.name, l]),
      );
      expect([...weighted.keys()].sort()).toEqual(expected.layers.map((l) => layerName(l.module)).sort());
      for (const t of expected.layers) {
        const l = weighted.get(layerName(t.module))!;
        expect({ name: l.name, params: l.params, macs: l.macs, shape: l.outputShape }).toEqual({
          name: l.name,
          params: t.params,
          macs: t.macs,
          shape: t.outputShape,
        });
      }
    }
  });

  it('has identity shortcuts where shapes match and projections where a stage begins', async () => {
    const graph = await graphOf(variant, 'torchvision');
    for (const block of graph.nodes.filter((n) => n.kind === 'block')) {
      const first = block.id.endsWith('.0') && block.id !== 'layer1.0';
      expect({ id: block.id, shortcut: block.shortcut, stride: block.stride }).toEqual({
        id: block.id,
        shortcut: first ? 'projection' : 'identity',
        stride: first ? 2 : 1,
      });
      const shortcutLayers = block.layers.filter((l) => l.path === 'shortcut').map((l) => l.kind);
      expect(shortcutLayers).toEqual(first ? ['conv', 'bn'] : []);
    }
  });
});

describe('the reference design', () => {
  it.each([
    ['resnet18', 12_053_608, 1_878_298_624],
    ['resnet34', 22_735_912, 3_830_747_136],
  ] as const)('%s: %i parameters, %i MACs', async (variant, params, macs) => {
    const graph = await graphOf(variant, 'reference');
    expect(graph.totalParams).toBe(params);
    expect(graph.totalParams).toBe(built.get(`${variant}/reference`)!.model.countParams());
    expect(graph.totalMacs).toBe(macs);
    // Its only extra work over torchvision's layout: a 1x1 conv on each block whose shortcut is an identity there.
    const torchvision = await graphOf(variant, 'torchvision');
    const extra = graph.nodes
      .filter((n, i) => n.kind === 'block' && torchvision.nodes[i]!.shortcut === 'identity')
      .reduce((sum, n) => sum + n.layers.find((l) => l.path === 'shortcut')!.macs, 0);
    expect(graph.totalMacs).toBe(torchvision.totalMacs + extra);
  });

  it('has a 1x1 convolution without BatchNorm on every shortcut, and blocks grouped by stage', async () => {
    const graph = await graphOf('resnet34', 'reference');
    const blocks = graph.nodes.filter((n) => n.kind === 'block');
    expect(blocks.every((b) => b.shortcut === 'conv1x1')).toBe(true);
    expect(blocks[0]!.layers.find((l) => l.path === 'shortcut')).toMatchObject({
      kind: 'conv',
      detail: '1x1, stride 1',
    });
    expect(stagesOf(graph).map((s) => [s.stage, s.nodes.length])).toEqual([
      ['stem', 1],
      ['layer1', 3],
      ['layer2', 4],
      ['layer3', 6],
      ['layer4', 3],
      ['fc', 1],
    ]);
    expect(node(graph, 'layer1.0').layers.map((l) => `${l.kind}:${l.path}`)).toEqual([
      'conv:residual',
      'bn:residual',
      'relu:residual',
      'conv:residual',
      'bn:residual',
      'conv:shortcut',
      'add:merge',
      'relu:merge',
    ]);
    expect(node(graph, 'fc')).toMatchObject({
      kind: 'head',
      outputShape: [1000],
      params: 513_000,
      macs: 512_000,
    });
  });
});
