/**
 * The activation-maximization loop: Adam on the Fourier parameters, a fresh random transform each step, all drawn
 * from one seed so the same seed gives the same picture.
 */
import * as tf from '@tensorflow/tfjs-core';

import { objectiveGradient } from './objective';
import type { FeatureVisSubject } from './objective';
import { LUCID_INITIAL_STDDEV } from './fourierImage';
import { SplitMix32 } from './seededRandom';
import { randomTransform } from './transforms';

export interface VisualizeOptions {
  steps: number;
  seed: number;
  /** Lucid's default Adam learning rate. */
  learningRate?: number;
  /** Grey border of each step's transform (Lucid's 12). */
  pad?: number;
  initialStddev?: number;
  /** After each step: its number (from 1) and the objective's value under that step's transform. */
  onStep?: (step: number, value: number) => void;
  /** Read between steps, after yielding to the event loop so that a cancel message can arrive. */
  signal?: AbortSignal;
  /** Awaited before each step in place of that yield: the engine notices its own cancel there (it throws). */
  checkpoint?: () => Promise<void>;
  /** Every `pictureEvery` steps, the picture so far ([1, h, w, 3] in [0, 1], freed once the call resolves). */
  pictureEvery?: number;
  onPicture?: (step: number, image: tf.Tensor4D) => Promise<void>;
}

export interface Visualization {
  /** The final RGB image [1, h, w, 3] in [0, 1], untransformed; the caller owns it. */
  image: tf.Tensor4D;
  /** The objective's value at each step. */
  values: number[];
}

/** Runs `steps` steps of gradient ascent; frees everything but the returned image, also when cancelled. */
export async function visualize(
  subject: FeatureVisSubject,
  options: VisualizeOptions,
): Promise<Visualization> {
  const { steps, seed, learningRate = 0.05, pad = 12, initialStddev = LUCID_INITIAL_STDDEV } = options;
  const initial = subject.image.initialParams(seed, initialStddev);
  const params = tf.variable(initial, true);
  initial.dispose();
  const optimizer = tf.train.adam(learningRate);
  // Its own stream, so the transforms do not depend on how many numbers the start used.
  const random = new SplitMix32((seed ^ 0x5bd1e995) >>> 0);
  const values: number[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      if (options.checkpoint) await options.checkpoint();
      else await new Promise<void>((resolve) => setTimeout(resolve, 0));
      options.signal?.throwIfAborted();
      const { value, gradient } = objectiveGradient(
        subject,
        params as tf.Tensor4D,
        randomTransform(random, pad),
      );
      // Adam descends: the loss is minus the objective.
      const descent = tf.neg(gradient);
      gradient.dispose();
      optimizer.applyGradients([{ name: params.name, tensor: descent }]);
      descent.dispose();
      values.push(value);
      options.onStep?.(step, value);
      const { pictureEvery, onPicture } = options;
      if (onPicture && pictureEvery && step % pictureEvery === 0 && step < steps) {
        const picture = subject.image.toImage(params as tf.Tensor4D);
        try {
          await onPicture(step, picture);
        } finally {
          picture.dispose();
        }
      }
    }
    return { image: subject.image.toImage(params as tf.Tensor4D), values };
  } finally {
    optimizer.dispose();
    params.dispose();
  }
}
