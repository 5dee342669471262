// The head's training equals PyTorch's: from the committed features, starting weights, batch order and Adam
// settings (scripts/make_teach_fixture.py), 20 TF.js steps end within 1e-4 of torch.optim.Adam's weights
// (scripts/make_teach_reference.py), for the dense, hidden-layer and keep-ImageNet heads.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import type { DenseWeights, HeadWeights } from '../../shared/teach/headWeights';
import { HeadTrainer } from './headTrainer';
import type { AdamSettings } from './headTrainer';

/** Layers as JSON holds them: plain number arrays where the app has Float32Arrays. */
interface JsonDense {
  inputs: number;
  outputs: number;
  kernel: number[];
  bias: number[];
}
type JsonHead = { kind: HeadWeights['kind'] } & Record<'output' | 'hidden' | 'kept', JsonDense | undefined>;

interface TeachInputs {
  count: number;
  featureSize: number;
  features: number[];
  labels: number[];
  batches: number[][];
  adam: AdamSettings;
  heads: Record<string, JsonHead>;
}

interface TeachReference {
  steps: number;
  heads: Record<string, { losses: number[]; weights: JsonHead }>;
}

const REFERENCE_FILE = resolve(import.meta.dirname, '../../../test-fixtures/reference/teach.json');
const hasTeachReference = existsSync(REFERENCE_FILE);
const TOLERANCE = 1e-4;

const inputs = JSON.parse(
  readFileSync(new URL('./__fixtures__/teach.inputs.json', import.meta.url), 'utf8'),
) as TeachInputs;

const toDense = (layer: JsonDense | undefined): DenseWeights => ({
  inputs: layer!.inputs,
  outputs: layer!.outputs,
  kernel: Float32Array.from(layer!.kernel),
  bias: Float32Array.from(layer!.bias),
});

function toHead(head: JsonHead): HeadWeights {
  switch (head.kind) {
    case 'dense':
      return { kind: 'dense', output: toDense(head.output) };
    case 'hidden':
      return { kind: 'hidden', hidden: toDense(head.hidden), output: toDense(head.output) };
    case 'keepImageNet':
      return { kind: 'keepImageNet', kept: toDense(head.kept), output: toDense(head.output) };
  }
}

function maxAbsDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i]! - expected[i]!));
  return max;
}

describe.skipIf(!hasTeachReference)(
  'head training equals PyTorch after 20 Adam steps (run scripts/make_teach_reference.py to enable)',
  () => {
    const reference = hasTeachReference
      ? (JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as TeachReference)
      : { steps: 0, heads: {} };

    beforeAll(async () => {
      await tf.setBackend('cpu');
    });

    it('the reference trained every head of the input for every batch', () => {
      expect(Object.keys(reference.heads).sort()).toEqual(Object.keys(inputs.heads).sort());
      expect(reference.steps).toBe(20);
      expect(inputs.batches).toHaveLength(20);
    });

    it.each(Object.keys(inputs.heads))('the %s head', async (name) => {
      const expected = reference.heads[name]!;
      const initial = toHead(inputs.heads[name]!);
      const tensorsBefore = tf.memory().numTensors;
      const trainer = new HeadTrainer(
        {
          features: Float32Array.from(inputs.features),
          count: inputs.count,
          featureSize: inputs.featureSize,
          labels: inputs.labels,
        },
        initial,
        inputs.adam,
      );
      const losses: number[] = [];
      for (const batch of inputs.batches) losses.push(await trainer.step(batch));
      const trained = await trainer.weights();
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);

      const want = toHead(expected.weights);
      const differences: Record<string, number> = {
        losses: maxAbsDifference(losses, expected.losses),
        'output kernel': maxAbsDifference(trained.output.kernel, want.output.kernel),
        'output bias': maxAbsDifference(trained.output.bias, want.output.bias),
      };
      if (trained.kind === 'hidden' && want.kind === 'hidden') {
        differences['hidden kernel'] = maxAbsDifference(trained.hidden.kernel, want.hidden.kernel);
        differences['hidden bias'] = maxAbsDifference(trained.hidden.bias, want.hidden.bias);
      }
      if (trained.kind === 'keepImageNet' && initial.kind === 'keepImageNet') {
        // Frozen: not a step away from where it began.
        expect(trained.kept.kernel).toEqual(initial.kept.kernel);
        expect(trained.kept.bias).toEqual(initial.kept.bias);
      }
      // The weights moved: a comparison of untrained weights would pass for any training code.
      expect(maxAbsDifference(trained.output.kernel, initial.output.kernel)).toBeGreaterThan(0.05);
      console.log(`${name} head, max |TF.js - PyTorch|:`, differences);
      for (const [what, difference] of Object.entries(differences)) {
        expect(difference, what).toBeLessThan(TOLERANCE);
      }
    });
  },
);
