/**
 * One feature visualization as the engine runs it (issue #27): the request's target on a model's network, the
 * pictures as RGBA bytes, the final picture's own value, and the time of a step, which the panel's estimate is
 * made from.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { PreprocessSpec } from '../../model/preprocess/spec';
import type { SplitNetwork } from '../../model/splitNetwork';
import type { FeatureVisPicture, FeatureVisRequest, FeatureVisResult } from '../../shared/protocol';
import { FourierImage } from './fourierImage';
import { objectiveValue, toModelInput } from './objective';
import { visualize } from './optimize';
import { targetProblem } from './unitReading';

/** Far beyond Lucid's 512 default; a run this long takes hours here, and a typo should not start one. */
export const MAX_FEATURE_VIS_STEPS = 4096;
const MIN_SIZE = 32;
const MAX_SIZE = 512;

export interface FeatureVisHooks {
  /** Awaited before each step: a cancel is noticed here (it throws). */
  checkpoint: () => Promise<void>;
  onStep?: (step: number, steps: number) => void;
  onPicture?: (step: number, picture: FeatureVisPicture) => void;
}

/** What is wrong with a request before anything runs, or null. */
export function featureVisRequestProblem(request: FeatureVisRequest, defaultSize: number): string | null {
  const { steps, seed, size = defaultSize, pictureEvery } = request;
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_FEATURE_VIS_STEPS) {
    return `Steps must be a whole number from 1 to ${MAX_FEATURE_VIS_STEPS}, not ${steps}.`;
  }
  if (!Number.isInteger(seed)) return `The seed must be a whole number, not ${seed}.`;
  if (!Number.isInteger(size) || size % 2 !== 0 || size < MIN_SIZE || size > MAX_SIZE) {
    return `The picture's side must be an even number of pixels from ${MIN_SIZE} to ${MAX_SIZE}, not ${size}.`;
  }
  if (pictureEvery !== undefined && (!Number.isInteger(pictureEvery) || pictureEvery < 1)) {
    return `Pictures come every whole number of steps, not every ${pictureEvery}.`;
  }
  return null;
}

/** An RGB image [1, h, w, 3] in [0, 1] as RGBA bytes, alpha opaque. */
export async function pictureOf(image: tf.Tensor4D): Promise<FeatureVisPicture> {
  const [, height, width] = image.shape;
  const rgb = await image.data();
  const rgba = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    // Uint8ClampedArray rounds and clamps as it stores.
    rgba[4 * p] = rgb[3 * p]! * 255;
    rgba[4 * p + 1] = rgb[3 * p + 1]! * 255;
    rgba[4 * p + 2] = rgb[3 * p + 2]! * 255;
    rgba[4 * p + 3] = 255;
  }
  return { width, height, rgba };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

export async function runFeatureVisualization(
  network: SplitNetwork,
  preprocess: PreprocessSpec,
  request: FeatureVisRequest,
  hooks: FeatureVisHooks,
): Promise<FeatureVisResult> {
  const problem =
    featureVisRequestProblem(request, preprocess.cropSize) ?? targetProblem(network, request.target);
  if (problem) throw new RangeError(problem);
  const { target, steps, seed, size = preprocess.cropSize, pictureEvery } = request;
  const image = new FourierImage(size, size);
  const started = performance.now();
  const stepMs: number[] = [];
  let stepStarted = started;
  try {
    const run = await visualize(
      { network, preprocess, image, objective: target },
      {
        steps,
        seed,
        checkpoint: hooks.checkpoint,
        onStep: (step) => {
          const now = performance.now();
          stepMs.push(now - stepStarted);
          stepStarted = now;
          hooks.onStep?.(step, steps);
        },
        ...(pictureEvery !== undefined ? { pictureEvery } : {}),
        onPicture: async (step, picture) => hooks.onPicture?.(step, await pictureOf(picture)),
      },
    );
    try {
      const value = tf.tidy(() => objectiveValue(network, toModelInput(run.image, preprocess), target));
      const finalValue = (await value.data())[0]!;
      value.dispose();
      const topClass =
        target.kind === 'class' ? await topClassOf(network, toModelInput(run.image, preprocess)) : null;
      return {
        picture: await pictureOf(run.image),
        values: run.values,
        value: finalValue,
        ...(topClass === null ? {} : { topClass }),
        totalMs: performance.now() - started,
        stepMs: median(stepMs),
      };
    } finally {
      run.image.dispose();
    }
  } finally {
    image.dispose();
  }
}

/** The network's top-1 for one input (which it then frees): for a class's picture, whether the model names it. */
async function topClassOf(network: SplitNetwork, x: tf.Tensor4D): Promise<number> {
  const top = tf.tidy(() => tf.argMax(network.scores(x, false), 1));
  x.dispose();
  try {
    return (await top.data())[0]!;
  } finally {
    top.dispose();
  }
}
