// The resampling behind transformation robustness: exact for the identity, padding, integer jitter and a quarter
// turn, linear functions kept under scale and rotation, and its custom backward the forward map's transpose.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';

import { SplitMix32 } from './seededRandom';
import { IDENTITY_TRANSFORM, Resampler, randomTransform } from './transforms';
import type { TransformValues } from './transforms';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A [1, h, w, 1] image with value f(row, column). */
function image(h: number, w: number, f: (y: number, x: number) => number): tf.Tensor4D {
  return tf.tensor4d(
    Array.from({ length: h * w }, (_, p) => f(Math.floor(p / w), p % w)),
    [1, h, w, 1],
  );
}

function resampled(input: tf.Tensor4D, t: TransformValues): Float32Array {
  const resampler = new Resampler(input.shape[1], input.shape[2], t);
  const out = resampler.apply(input);
  const values = out.dataSync<'float32'>();
  out.dispose();
  resampler.dispose();
  return values;
}

const noise = (y: number, x: number) => ((Math.sin(12.9898 * y + 78.233 * x) * 43758.5453) % 1) * 0.5 + 0.5;

describe('resampling', () => {
  it('leaves the image as it is under the identity (up to rounding of the grey offset)', () => {
    const input = image(6, 8, noise);
    const values = resampled(input, IDENTITY_TRANSFORM);
    input.dataSync().forEach((v, i) => expect(values[i]).toBeCloseTo(v, 6));
    input.dispose();
  });

  it('pads with grey and shifts by whole pixels exactly', () => {
    const [h, w] = [5, 6];
    const input = image(h, w, noise);
    const values = resampled(input, { pad: 2, jitter: [1, -2], scale: 1, angle: 0 });
    const ow = w + 4;
    for (let i = 0; i < h + 4; i++) {
      for (let j = 0; j < ow; j++) {
        const [y, x] = [i - 2 - 1, j - 2 + 2];
        const expected = y >= 0 && y < h && x >= 0 && x < w ? noise(y, x) : 0.5;
        expect(values[i * ow + j]).toBeCloseTo(expected, 6);
      }
    }
    input.dispose();
  });

  it('turns a square image a quarter turn clockwise at 90 degrees', () => {
    const n = 5;
    const input = image(n, n, noise);
    const values = resampled(input, { pad: 0, jitter: [0, 0], scale: 1, angle: 90 });
    // Clockwise as seen: output (i, j) shows input (n - 1 - j, i).
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) expect(values[i * n + j]).toBeCloseTo(noise(n - 1 - j, i), 5);
    }
    input.dispose();
  });

  it('keeps a linear ramp linear under scale and rotation (bilinear is exact for linear images)', () => {
    const n = 20;
    const input = image(n, n, (y, x) => 0.01 * x + 0.02 * y);
    const t = { pad: 0, jitter: [2, -1] as [number, number], scale: 1.1, angle: 8 };
    const values = resampled(input, t);
    const a = (t.angle * Math.PI) / 180;
    const c = (n - 1) / 2;
    for (let i = 6; i < 14; i++) {
      for (let j = 6; j < 14; j++) {
        const [u, v] = [j - c - t.jitter[1], i - c - t.jitter[0]];
        const x = c + (Math.cos(a) * u + Math.sin(a) * v) / t.scale;
        const y = c + (-Math.sin(a) * u + Math.cos(a) * v) / t.scale;
        expect(values[i * n + j]).toBeCloseTo(0.01 * x + 0.02 * y, 5);
      }
    }
    input.dispose();
  });

  it("its backward is the forward map's transpose: <A x - A 0, g> = <x, grad>", () => {
    const random = new SplitMix32(9);
    for (let trial = 0; trial < 4; trial++) {
      const t = randomTransform(random, 3);
      const resampler = new Resampler(12, 10, t);
      const x = tf.randomUniform([1, 12, 10, 3], 0, 1, 'float32', trial) as tf.Tensor4D;
      const g = tf.randomNormal([1, resampler.outHeight, resampler.outWidth, 3], 0, 1, 'float32', 10 + trial);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(resampler.apply(input as tf.Tensor4D), g)))(x);
      const zero = tf.zeros([1, 12, 10, 3]) as tf.Tensor4D;
      const forward = tf.sum(tf.mul(tf.sub(resampler.apply(x), resampler.apply(zero)), g)).dataSync()[0]!;
      const adjoint = tf.sum(tf.mul(x, grad)).dataSync()[0]!;
      expect(Math.abs(forward)).toBeGreaterThan(0.1);
      expect(adjoint).toBeCloseTo(forward, 3);
      tf.dispose([x, g, grad, zero]);
      resampler.dispose();
    }
  });

  it("draws Lucid's ranges from a seed, the same for the same seed", () => {
    const draw = (seed: number) => {
      const random = new SplitMix32(seed);
      return Array.from({ length: 200 }, () => randomTransform(random));
    };
    const draws = draw(4);
    expect(draw(4)).toEqual(draws);
    for (const t of draws) {
      expect(t.pad).toBe(12);
      expect(Math.abs(t.jitter[0])).toBeLessThanOrEqual(6);
      expect(Math.abs(t.jitter[1])).toBeLessThanOrEqual(6);
      expect(t.scale).toBeGreaterThanOrEqual(0.9 - 1e-12);
      expect(t.scale).toBeLessThanOrEqual(1.1 + 1e-12);
      expect(Math.abs(t.angle)).toBeLessThanOrEqual(10);
    }
    expect(new Set(draws.map((t) => t.angle)).size).toBeGreaterThan(10);
  });
});
