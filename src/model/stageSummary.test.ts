import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { buildResNet } from './buildResNet';
import { formatShape } from '../shared/format';
import { summarizeStages } from './stageSummary';
import type { BuildableVariantId } from '../shared/variants';

type StageName = 'stem' | 'layer1' | 'layer2' | 'layer3' | 'layer4' | 'fc';

// The reference design's table from the spec, stage by stage.
const EXPECTED: Record<
  BuildableVariantId,
  Record<StageName, number> & { total: number; trainable: number; nonTrainable: number }
> = {
  resnet18: {
    stem: 9_728,
    layer1: 157_056,
    layer2: 543_488,
    layer3: 2_168_320,
    layer4: 8_662_016,
    fc: 513_000,
    total: 12_053_608,
    trainable: 12_045_800,
    nonTrainable: 7_808,
  },
  resnet34: {
    stem: 9_728,
    layer1: 235_584,
    layer2: 1_168_896,
    layer3: 7_160_320,
    layer4: 13_648_384,
    fc: 513_000,
    total: 22_735_912,
    trainable: 22_720_680,
    nonTrainable: 15_232,
  },
};
const OUTPUT_SHAPES: Record<StageName, string> = {
  stem: '56x56x64',
  layer1: '56x56x64',
  layer2: '28x28x128',
  layer3: '14x14x256',
  layer4: '7x7x512',
  fc: '1000',
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['resnet18', 'resnet34'] as const)('%s, reference flavor', (variant) => {
  it('reproduces the reference parameter table stage by stage', async () => {
    const model = await buildResNet({ variant });
    const summary = summarizeStages(model, variant, 'reference');
    const want = EXPECTED[variant];
    for (const s of summary.stages) {
      const stage = s.stage as StageName;
      expect({ stage, params: s.params }).toEqual({ stage, params: want[stage] });
      expect(formatShape(s.outputShape)).toBe(OUTPUT_SHAPES[stage]);
    }
    expect(summary.totalParams).toBe(want.total);
    expect(summary.trainableParams).toBe(want.trainable);
    expect(summary.nonTrainableParams).toBe(want.nonTrainable);
    // Keras' own count must agree with the per-stage grouping (no layer fell outside a stage).
    expect(model.countParams()).toBe(want.total);
    model.dispose();
  });
});

describe('torchvision flavor', () => {
  it.each([
    ['resnet18', 11_689_512],
    ['resnet34', 21_797_672],
  ] as const)('%s has torchvision parameter count %i', async (variant, torchParams) => {
    const model = await buildResNet({ variant, flavor: 'torchvision' });
    const summary = summarizeStages(model, variant, 'torchvision');
    // PyTorch counts parameters only; BatchNorm running statistics are buffers, i.e. Keras' non-trainable weights.
    expect(summary.trainableParams).toBe(torchParams);
    expect(summary.totalParams).toBe(torchParams + summary.nonTrainableParams);
    expect(summary.stages.map((s) => formatShape(s.outputShape))).toEqual(Object.values(OUTPUT_SHAPES));
    model.dispose();
  });
});

describe('seeded initialization', () => {
  it('gives identical weights for the same seed and different ones for another seed', async () => {
    const a = await buildResNet({ variant: 'resnet18', seed: 7 });
    const b = await buildResNet({ variant: 'resnet18', seed: 7 });
    const c = await buildResNet({ variant: 'resnet18', seed: 8 });
    const w = (m: typeof a) => m.getLayer('layer3_1_conv2').getWeights()[0]!.dataSync();
    expect(Array.from(w(a))).toEqual(Array.from(w(b)));
    expect(Array.from(w(a))).not.toEqual(Array.from(w(c)));
    [a, b, c].forEach((m) => m.dispose());
  });
});
