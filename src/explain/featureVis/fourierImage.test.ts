// The Fourier image parameterization: the matrix inverse DFT is TF.js' own irfft2d (which has no gradient), its
// gradient is the map's transpose, and the seeded start is the same for the same seed.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';

import { FourierImage, spectrumFrequencies, spectrumScale } from './fourierImage';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** irfft2d by TF.js' FFT ops: a complex inverse DFT down the columns, then the real inverse along the rows. */
function irfft2dBySpectralOps(
  params: tf.Tensor4D,
  scale: Float32Array,
  h: number,
  bins: number,
): tf.Tensor3D {
  return tf.tidy(() => {
    const scaleTensor = tf.tensor2d(scale, [h, bins]);
    const [real, imaginary] = tf.unstack(tf.mul(params, scaleTensor)) as [tf.Tensor3D, tf.Tensor3D];
    // [3, h, bins] -> [3, bins, h]: ifft works on the innermost axis.
    const byColumn = tf.spectral.ifft(
      tf.complex(tf.transpose(real, [0, 2, 1]), tf.transpose(imaginary, [0, 2, 1])),
    );
    const back = tf.transpose(byColumn, [0, 2, 1]);
    return tf.spectral.irfft(back) as tf.Tensor3D;
  });
}

describe('Fourier image', () => {
  it("has Lucid's frequencies and scale: numpy's fftfreq magnitudes, the DC bin floored at 1 / max(h, w)", () => {
    const freqs = spectrumFrequencies(4, 6);
    // fftfreq(4) = [0, 1/4, -1/2, -1/4]; the half spectrum of 6 has bins 0, 1/6, 2/6, 3/6.
    expect(freqs[0]).toBe(0);
    expect(freqs[1]).toBeCloseTo(1 / 6, 12);
    expect(freqs[2 * 4 + 3]).toBeCloseTo(Math.hypot(1 / 2, 1 / 2), 12);
    expect(freqs[3 * 4 + 0]).toBeCloseTo(1 / 4, 12);
    const scale = spectrumScale(4, 6);
    expect(scale[0]).toBeCloseTo(Math.sqrt(24) * 6, 4);
    expect(scale[1]).toBeCloseTo(Math.sqrt(24) * 6, 4);
    expect(scale[2]).toBeCloseTo(Math.sqrt(24) * 3, 4);
  });

  it("its matrix inverse DFT is irfft2d (divided by Lucid's 4), including the first and the Nyquist bins' parts", () => {
    const [h, w] = [8, 6];
    const image = new FourierImage(h, w);
    const params = image.initialParams(5, 1);
    const ours = tf.tidy(() => tf.transpose(tf.squeeze(image.spatial(params), [0]), [2, 0, 1]));
    const theirs = tf.tidy(() => tf.div(irfft2dBySpectralOps(params, spectrumScale(h, w), h, w / 2 + 1), 4));
    expect(ours.shape).toEqual(theirs.shape);
    const [a, b] = [ours.dataSync(), theirs.dataSync()];
    let worst = 0;
    let peak = 0;
    a.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - b[i]!));
      peak = Math.max(peak, Math.abs(b[i]!));
    });
    expect(peak).toBeGreaterThan(0.1);
    expect(worst / peak).toBeLessThan(1e-5);
    tf.dispose([params, ours, theirs]);
    image.dispose();
  });

  it('has a gradient, the transpose of its linear part: <L p, g> = <p, grad>', () => {
    const image = new FourierImage(8, 8);
    const params = image.initialParams(1, 1);
    const g = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const grad = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(image.spatial(p as tf.Tensor4D), g)))(params);
    const forward = tf.sum(tf.mul(image.spatial(params), g)).dataSync()[0]!;
    const adjoint = tf.sum(tf.mul(params, grad)).dataSync()[0]!;
    expect(Math.abs(forward)).toBeGreaterThan(0.01);
    expect(adjoint).toBeCloseTo(forward, 4);
    tf.dispose([params, g, grad]);
    image.dispose();
  });

  it('makes an image in [0, 1] and the same start from the same seed', () => {
    const image = new FourierImage(16, 16);
    const [a, b, c] = [image.initialParams(7), image.initialParams(7), image.initialParams(8)];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    const rgb = image.toImage(a);
    expect(rgb.shape).toEqual([1, 16, 16, 3]);
    const values = rgb.dataSync();
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
    tf.dispose([a, b, c, rgb]);
    image.dispose();
  });

  it('frees what it made', () => {
    const before = tf.memory().numTensors;
    const image = new FourierImage(8, 8);
    const params = image.initialParams(3);
    tf.dispose([image.toImage(params), params]);
    image.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses odd sides', () => {
    expect(() => new FourierImage(7, 8)).toThrow(/even sides/);
  });
});
