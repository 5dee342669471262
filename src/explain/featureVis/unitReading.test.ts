/**
 * A block's channel as a unit, on a seeded ResNet18: what dataset examples read (value and strongest cell) and what
 * feature visualization maximizes (objectiveValue, on the gradient path) against the block outputs of the model's
 * own Look inside pass with every block, another path through the network; and the block targets refused.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Classifier } from '../../model/classifier';
import type { ActivationMap } from '../../model/featureMaps';
import { loadClassifier } from '../../model/loadClassifier';
import type { FeatureVisTarget } from '../../shared/protocol';
import { setWasmBackend } from '../../testing/wasmBackend';
import { objectiveValue } from './objective';
import { readUnit, targetProblem } from './unitReading';

/** A crop of noise with a bright square of its own, so that the two images' units differ. */
function crop(n: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(224 * 224 * 4);
  let state = 11 + 17 * n;
  for (let p = 0; p < 224 * 224; p++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const [y, x] = [Math.floor(p / 224), p % 224];
    const inside = y >= 40 + 90 * n && y < 100 + 90 * n && x >= 120 - 80 * n && x < 180 - 80 * n;
    for (let c = 0; c < 3; c++) rgba[4 * p + c] = (inside ? 150 + 40 * c : 40) + (state % 50);
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}

const crops = [crop(0), crop(1)];
let classifier: Classifier;
/** Per image, block `layer3.0`'s output from the Look inside pass that keeps every block. */
let layer30: ActivationMap[];
/** Both crops normalized as the network takes them, [2, 224, 224, 3]. */
let x: tf.Tensor4D;
let tensors: number;

beforeAll(async () => {
  await setWasmBackend();
  classifier = await loadClassifier({ kind: 'random', variant: 'resnet18', seed: 3 });
  layer30 = await Promise.all(
    crops.map(async (rgba) => (await classifier.inspect(rgba, 1, { blocks: true })).blocks![2]![0]!.output),
  );
  const bytes = new Uint8Array(2 * 224 * 224 * 4);
  crops.forEach((rgba, i) => bytes.set(rgba, i * 224 * 224 * 4));
  x = tf.tidy(() => classifier.normalize(tf.tensor4d(bytes, [2, 224, 224, 4], 'int32')));
  tensors = tf.memory().numTensors;
});

afterAll(() => {
  x.dispose();
  classifier.dispose();
});

/** A channel's mean over the map and the place of its largest cell. */
function channelOf(map: ActivationMap, channel: number) {
  let [sum, best, at] = [0, -Infinity, 0];
  for (let p = 0; p < map.height * map.width; p++) {
    const v = map.data[p * map.channels + channel]!;
    sum += v;
    if (v > best) [best, at] = [v, p];
  }
  return { mean: sum / (map.height * map.width), row: Math.floor(at / map.width), col: at % map.width };
}

/** The channel strongest on the first image and the one it is weakest on among those alive on both. */
function channels(): number[] {
  const means = Array.from({ length: 256 }, (_, c) => layer30.map((m) => channelOf(m, c).mean));
  const alive = means.flatMap((m, c) => (m[0]! > 1e-3 && m[1]! > 1e-3 ? [c] : []));
  alive.sort((a, b) => means[b]![0]! - means[a]![0]!);
  return [alive[0]!, alive.at(-1)!];
}

describe("a block's channel as a unit", () => {
  it('reads, for dataset examples, the channel’s mean and largest cell of the block’s output', async () => {
    for (const channel of channels()) {
      const target: FeatureVisTarget = { kind: 'block', block: 'layer3.0', channel };
      const readings = await readUnit(classifier.network(), x, target, null);
      readings.forEach((reading, i) => {
        const want = channelOf(layer30[i]!, channel);
        expect(Math.abs(reading.value - want.mean) / want.mean, `channel ${channel}`).toBeLessThan(1e-4);
        expect(reading.cell).toEqual({ row: want.row, col: want.col, rows: 14, cols: 14 });
      });
    }
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('maximizes, in feature visualization, the same mean on the gradient path', () => {
    const first = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]);
    for (const channel of channels()) {
      const want = channelOf(layer30[0]!, channel).mean;
      const value = tf.tidy(() =>
        objectiveValue(classifier.network(), first, { kind: 'block', block: 'layer3.0', channel }).dataSync(),
      )[0]!;
      expect(Math.abs(value - want) / want, `channel ${channel}`).toBeLessThan(1e-4);
    }
    first.dispose();
  });

  it('refuses a block the model does not have and a channel it does not have, naming why', () => {
    const network = classifier.network();
    const problem = (block: string, channel: number) =>
      targetProblem(network, { kind: 'block', block, channel });
    expect(problem('layer3.0', 255)).toBeNull();
    expect(problem('layer4.1', 511)).toBeNull();
    expect(problem('layer5.0', 0)).toBe('This model has no block layer5.0.');
    // A stage is not a block, and ResNet50's names are not ResNet18's.
    expect(problem('layer3', 0)).toBe('This model has no block layer3.');
    expect(problem('conv5_block3', 0)).toBe('This model has no block conv5_block3.');
    expect(problem('layer3.0', 256)).toBe('layer3.0 has 256 channels, not channel 256.');
    expect(problem('layer1.1', -1)).toBe('layer1.1 has 64 channels, not channel -1.');
    expect(problem('layer1.1', 1.5)).toBe('layer1.1 has 64 channels, not channel 1.5.');
  });
});
