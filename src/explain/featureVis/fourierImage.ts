/**
 * The image that feature visualization optimizes, parameterized as Lucid does (Olah et al., "Feature Visualization",
 * Distill 2017): a 1/f-scaled spectrum per decorrelated colour channel, inverse-transformed and squashed to [0, 1].
 */
import * as tf from '@tensorflow/tfjs-core';

import { seededNormals } from './seededRandom';

/**
 * Lucid's `color_correlation_svd_sqrt`: the square root of ImageNet's colour covariance (rows R, G, B), which maps
 * decorrelated channels back to RGB. Lucid divides it by its largest column norm so no channel is amplified.
 */
export const COLOR_CORRELATION_SVD_SQRT: readonly (readonly [number, number, number])[] = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];

/** Lucid's initial spectrum scale (`sd=0.01`): a near-grey start. */
export const LUCID_INITIAL_STDDEV = 0.01;

/** Lucid's `rfft2d_freqs`: |f| of each rfft2d bin [height, width/2 + 1], numpy's `fftfreq` in both directions. */
export function spectrumFrequencies(height: number, width: number): Float64Array {
  const bins = Math.floor(width / 2) + 1;
  const out = new Float64Array(height * bins);
  for (let ky = 0; ky < height; ky++) {
    const fy = (ky < Math.ceil(height / 2) ? ky : ky - height) / height;
    for (let kx = 0; kx < bins; kx++) {
      // fftfreq(width)[width / 2] is -1/2 for an even width: the magnitude is what counts.
      const fx = kx / width;
      out[ky * bins + kx] = Math.sqrt(fx * fx + fy * fy);
    }
  }
  return out;
}

/**
 * Lucid's spectrum scale: 1 / max(|f|, 1 / max(h, w))^decay (the floor keeps the DC bin finite), times sqrt(h w) so
 * that the inverse transform is unitary and learning rates carry over from pixel-space optimization.
 */
export function spectrumScale(height: number, width: number, decayPower = 1): Float32Array {
  const freqs = spectrumFrequencies(height, width);
  const floor = 1 / Math.max(height, width);
  const unitary = Math.sqrt(height * width);
  return Float32Array.from(freqs, (f) => unitary / Math.max(f, floor) ** decayPower);
}

/**
 * Turns Fourier parameters [2, 3, h, w/2 + 1] (real then imaginary parts, Lucid's layout) into an RGB image
 * [1, h, w, 3] in [0, 1], differentiably. Owns its constant matrices: dispose it.
 *
 * TF.js' `irfft` has no gradient, so the inverse real 2-D DFT is written as two matrix products with precomputed
 * cosine and sine matrices. It is exactly `irfft2d` (numpy's, TF's, PyTorch's `irfft2`, scale 1/(h w)): a complex
 * inverse DFT over the rows, then the real inverse over the half spectrum, where every bin but the first and the
 * Nyquist bin stands for itself and its conjugate (weight 2) and the imaginary part left at those two is dropped.
 */
export class FourierImage {
  readonly height: number;
  readonly width: number;
  readonly bins: number;
  readonly paramShape: [2, 3, number, number];
  private readonly scale: tf.Tensor2D;
  /** [[Cy, -Sy], [Sy, Cy]] [2h, 2h]: the rows' complex inverse DFT acting on [real; imaginary]. */
  private readonly rows: tf.Tensor2D;
  /** [c Cx; -c Sx] [2 bins, w], with irfft2d's 1/(h w), Lucid's 1/4 and the conjugate weight c folded in. */
  private readonly columns: tf.Tensor2D;
  /** The normalized colour matrix, transposed for [pixels, 3] x [3, 3]. */
  private readonly color: tf.Tensor2D;

  constructor(height: number, width: number, decayPower = 1) {
    if (height % 2 !== 0 || width % 2 !== 0) {
      // Lucid crops the extra pixel an odd size's irfft2d makes; even sizes keep the matrices square and simple.
      throw new RangeError(`Feature visualization images have even sides, not ${height}x${width}`);
    }
    this.height = height;
    this.width = width;
    this.bins = width / 2 + 1;
    this.paramShape = [2, 3, height, this.bins];
    this.scale = tf.tensor2d(spectrumScale(height, width, decayPower), [height, this.bins]);
    this.rows = tf.tensor2d(rowMatrix(height), [2 * height, 2 * height]);
    this.columns = tf.tensor2d(columnMatrix(height, width), [2 * this.bins, width]);
    const norms = [0, 1, 2].map((c) => Math.hypot(...COLOR_CORRELATION_SVD_SQRT.map((row) => row[c]!)));
    const maxNorm = Math.max(...norms);
    const transposed = [0, 1, 2].flatMap((c) => COLOR_CORRELATION_SVD_SQRT.map((row) => row[c]! / maxNorm));
    this.color = tf.tensor2d(transposed, [3, 3]);
  }

  /** Lucid's start: normal parameters with standard deviation `stddev`, the same for the same seed everywhere. */
  initialParams(seed: number, stddev = LUCID_INITIAL_STDDEV): tf.Tensor4D {
    const count = 2 * 3 * this.height * this.bins;
    return tf.tensor4d(seededNormals(count, stddev, seed), this.paramShape);
  }

  /** The decorrelated image before the sigmoid [1, h, w, 3]: what the spectrum alone makes (and Lucid's / 4). */
  spatial(params: tf.Tensor4D): tf.Tensor4D {
    const { height: h, width: w, bins } = this;
    return tf.tidy(() => {
      const scaled = tf.mul(params, this.scale);
      // [2, 3, h, bins] -> [2, h, 3, bins] -> [2h, 3 bins]: real parts over imaginary ones, channels side by side.
      const stacked = tf.reshape(tf.transpose(scaled, [0, 2, 1, 3]), [2 * h, 3 * bins]);
      const byRow = tf.matMul(this.rows, stacked);
      const [real, imaginary] = tf.split(byRow, 2, 0);
      // Rows (y, channel) with the half spectrum's real and imaginary parts side by side: [3h, 2 bins].
      const halves = tf.concat([tf.reshape(real!, [3 * h, bins]), tf.reshape(imaginary!, [3 * h, bins])], 1);
      const channelsLast = tf.transpose(tf.reshape(tf.matMul(halves, this.columns), [h, 3, w]), [0, 2, 1]);
      return tf.reshape(channelsLast, [1, h, w, 3]);
    });
  }

  /** The RGB image [1, h, w, 3] in [0, 1]: colour correlation, then a sigmoid (Lucid's `to_valid_rgb`). */
  toImage(params: tf.Tensor4D): tf.Tensor4D {
    const { height: h, width: w } = this;
    return tf.tidy(() => {
      const decorrelated = tf.reshape(this.spatial(params), [h * w, 3]);
      return tf.reshape(tf.sigmoid(tf.matMul(decorrelated, this.color)), [1, h, w, 3]);
    });
  }

  dispose(): void {
    tf.dispose([this.scale, this.rows, this.columns, this.color]);
  }
}

/** cos / sin (2 pi k n / size), with k n reduced mod size first so large products keep their precision. */
function angle(k: number, n: number, size: number): number {
  return (2 * Math.PI * ((k * n) % size)) / size;
}

function rowMatrix(h: number): Float32Array {
  const out = new Float32Array(4 * h * h);
  const stride = 2 * h;
  for (let y = 0; y < h; y++) {
    for (let ky = 0; ky < h; ky++) {
      const c = Math.cos(angle(ky, y, h));
      const s = Math.sin(angle(ky, y, h));
      out[y * stride + ky] = c;
      out[y * stride + h + ky] = -s;
      out[(h + y) * stride + ky] = s;
      out[(h + y) * stride + h + ky] = c;
    }
  }
  return out;
}

function columnMatrix(h: number, w: number): Float32Array {
  const bins = w / 2 + 1;
  const out = new Float32Array(2 * bins * w);
  for (let kx = 0; kx < bins; kx++) {
    const weight = (kx === 0 || kx === w / 2 ? 1 : 2) / (h * w) / 4;
    for (let x = 0; x < w; x++) {
      out[kx * w + x] = weight * Math.cos(angle(kx, x, w));
      out[(bins + kx) * w + x] = -weight * Math.sin(angle(kx, x, w));
    }
  }
  return out;
}
