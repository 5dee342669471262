/**
 * Transformation robustness for feature visualization (Lucid's pad, jitter, scale and rotate): one exact bilinear
 * resampling of the image per step, with the random values passed in so that a test can give PyTorch the same ones.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { SplitMix32 } from './seededRandom';

/** One step's transform. */
export interface TransformValues {
  /** A border of constant grey (0.5) this wide on every side: the output is the image's size plus twice this. */
  pad: number;
  /** Integer translation in pixels, [down, right]. */
  jitter: [number, number];
  /** Zoom about the centre (> 1 enlarges). */
  scale: number;
  /** Rotation about the centre in degrees, clockwise as seen (x right, y down). */
  angle: number;
}

/** No transform at all (a pad of 0): the image as it is. */
export const IDENTITY_TRANSFORM: TransformValues = { pad: 0, jitter: [0, 0], scale: 1, angle: 0 };

/**
 * Lucid's `standard_transforms` as one draw: pad 12, jitter 8 and 4 (one translation of up to 6 either way), a
 * scale from 0.9 to 1.1 in steps of 0.02, an angle from -10 to 10 degrees with 0 weighted six times over.
 */
export function randomTransform(random: SplitMix32, pad = 12): TransformValues {
  const angles = [...Array.from({ length: 21 }, (_, i) => i - 10), 0, 0, 0, 0, 0];
  return {
    pad,
    jitter: [random.nextInt(-6, 6), random.nextInt(-6, 6)],
    scale: 1 + (random.nextInt(0, 10) - 5) / 50,
    angle: angles[random.nextInt(0, angles.length - 1)]!,
  };
}

/**
 * Where each output pixel reads the input: output (row i, column j) maps to input (x, y) = c_in + R(-angle) (j - c_out
 * - dx, i - c_out - dy) / scale, c the centres ((size - 1) / 2, pixel centres at integers), read bilinearly from the
 * four pixels around it, a neighbour outside the image reading grey. This is PyTorch's `grid_sample` (bilinear,
 * align_corners=False) of the image minus 0.5 with zero padding, plus 0.5.
 */
export interface SamplingPlan {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  /** Per output pixel, its 4 neighbours' flat input indices [4 * outPixels] (0 where outside, weight 0). */
  indices: Int32Array;
  weights: Float32Array;
  /** The transpose for the backward pass: per input pixel, up to `fanOut` (output pixel, weight) pairs. */
  backIndices: Int32Array;
  backWeights: Float32Array;
  fanOut: number;
}

export function samplingPlan(inHeight: number, inWidth: number, t: TransformValues): SamplingPlan {
  const outHeight = inHeight + 2 * t.pad;
  const outWidth = inWidth + 2 * t.pad;
  const outPixels = outHeight * outWidth;
  const indices = new Int32Array(4 * outPixels);
  const weights = new Float32Array(4 * outPixels);
  const radians = (t.angle * Math.PI) / 180;
  const cos = Math.cos(radians) / t.scale;
  const sin = Math.sin(radians) / t.scale;
  const [dy, dx] = t.jitter;
  for (let i = 0; i < outHeight; i++) {
    for (let j = 0; j < outWidth; j++) {
      const u = j - (outWidth - 1) / 2 - dx;
      const v = i - (outHeight - 1) / 2 - dy;
      const x = (inWidth - 1) / 2 + cos * u + sin * v;
      const y = (inHeight - 1) / 2 - sin * u + cos * v;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const m = i * outWidth + j;
      const corners: [number, number, number][] = [
        [y0, x0, (1 - fy) * (1 - fx)],
        [y0, x0 + 1, (1 - fy) * fx],
        [y0 + 1, x0, fy * (1 - fx)],
        [y0 + 1, x0 + 1, fy * fx],
      ];
      corners.forEach(([yy, xx, w], k) => {
        const inside = yy >= 0 && yy < inHeight && xx >= 0 && xx < inWidth;
        indices[k * outPixels + m] = inside ? yy * inWidth + xx : 0;
        weights[k * outPixels + m] = inside ? w : 0;
      });
    }
  }
  const inPixels = inHeight * inWidth;
  const counts = new Int32Array(inPixels);
  for (let n = 0; n < indices.length; n++) if (weights[n] !== 0) counts[indices[n]!]!++;
  let fanOut = 1;
  for (const count of counts) fanOut = Math.max(fanOut, count);
  const backIndices = new Int32Array(fanOut * inPixels);
  const backWeights = new Float32Array(fanOut * inPixels);
  counts.fill(0);
  for (let n = 0; n < indices.length; n++) {
    if (weights[n] === 0) continue;
    const p = indices[n]!;
    const slot = counts[p]!++;
    backIndices[slot * inPixels + p] = n % outPixels;
    backWeights[slot * inPixels + p] = weights[n]!;
  }
  return { inHeight, inWidth, outHeight, outWidth, indices, weights, backIndices, backWeights, fanOut };
}

/**
 * A sampling plan on the backend. Owns its tensors: dispose it.
 *
 * TF.js' `transform` and `cropAndResize` have no gradient, and `gather`'s gradient needs `unsortedSegmentSum`,
 * which the WASM backend lacks. So the resampling is a custom-gradient op: forward, four gathers weighted; backward,
 * the transpose of the same linear map, precomputed as gathers over the output gradient. Both are exact.
 */
export class Resampler {
  readonly outHeight: number;
  readonly outWidth: number;
  private readonly plan: SamplingPlan;
  private readonly indices: tf.Tensor1D;
  private readonly weights: tf.Tensor3D;
  private readonly backIndices: tf.Tensor1D;
  private readonly backWeights: tf.Tensor3D;

  constructor(inHeight: number, inWidth: number, t: TransformValues) {
    const plan = samplingPlan(inHeight, inWidth, t);
    this.plan = plan;
    this.outHeight = plan.outHeight;
    this.outWidth = plan.outWidth;
    const outPixels = plan.outHeight * plan.outWidth;
    this.indices = tf.tensor1d(plan.indices, 'int32');
    this.weights = tf.tensor3d(plan.weights, [4, outPixels, 1]);
    this.backIndices = tf.tensor1d(plan.backIndices, 'int32');
    this.backWeights = tf.tensor3d(plan.backWeights, [plan.fanOut, inHeight * inWidth, 1]);
  }

  /** The image [1, h, w, c] in [0, 1] resampled to [1, outHeight, outWidth, c], grey outside. */
  apply(image: tf.Tensor4D): tf.Tensor4D {
    const { inHeight, inWidth, outHeight, outWidth, fanOut } = this.plan;
    const channels = image.shape[3];
    if (image.shape[1] !== inHeight || image.shape[2] !== inWidth) {
      throw new RangeError(
        `This resampler takes ${inHeight}x${inWidth} images, not ${image.shape[1]}x${image.shape[2]}`,
      );
    }
    const outPixels = outHeight * outWidth;
    const inPixels = inHeight * inWidth;
    const linear = tf.customGrad(((flat: tf.Tensor) => ({
      value: tf.sum(
        tf.mul(tf.reshape(tf.gather(flat, this.indices), [4, outPixels, channels]), this.weights),
        0,
      ),
      gradFunc: (dy: tf.Tensor) => {
        const spread = tf.reshape(tf.gather(dy, this.backIndices), [fanOut, inPixels, channels]);
        return tf.sum(tf.mul(spread, this.backWeights), 0);
      },
      // customGrad's declared type takes variadic tensors-or-save-functions; this op has one input.
    })) as unknown as Parameters<typeof tf.customGrad<tf.Tensor2D>>[0]);
    return tf.tidy(() => {
      const centred = tf.reshape(tf.sub(image, 0.5), [inPixels, channels]);
      const sampled = linear(centred) as tf.Tensor2D;
      return tf.reshape(tf.add(sampled, 0.5), [1, outHeight, outWidth, channels]);
    });
  }

  dispose(): void {
    tf.dispose([this.indices, this.weights, this.backIndices, this.backWeights]);
  }
}
