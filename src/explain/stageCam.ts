/**
 * The class activation map family (after pytorch-grad-cam's base class): a map is ReLU(sum_k w_k A_k) over a stage's
 * activation A, and each method is a small subclass that only says how its weights w are found.
 */
import * as tf from '@tensorflow/tfjs-core';
// tf.grad needs every op's gradient registered; tfjs-core leaves that to whoever differentiates.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

import type { ExplainMethod } from '../shared/explain';
import type { ExplainableStage, SplitNetwork } from '../model/splitNetwork';
import type { AttributionMap } from './attributionMap';
import type { RunControl } from './runControl';

export interface StageCamInput {
  network: SplitNetwork;
  /** The normalized input image [1, size, size, 3]. */
  x: tf.Tensor4D;
  stage: ExplainableStage;
  classIndex: number;
  control: RunControl;
}

/** What a method's weights are computed from: the stage's activation [h, w, K], and its gradient if asked for. */
export interface WeightsInput extends StageCamInput {
  activation: tf.Tensor3D;
  /** d score / d activation [h, w, K] (null unless the method sets `needsGradient`). */
  gradient: tf.Tensor3D | null;
}

export abstract class StageCam {
  abstract readonly method: ExplainMethod;
  /** Whether `weights` needs d score / d activation (one backward pass from the class score). */
  protected readonly needsGradient: boolean = true;
  /** ReLU on the weighted sum (every method here but plain CAM, whose map is the score's spatial layout). */
  protected readonly reluOutput: boolean = true;

  /**
   * Weights that multiply the activation [h, w, K]: per channel ([K]) or per position ([h, w, K]). Called inside
   * no tidy scope: dispose what is not returned.
   */
  protected abstract weights(input: WeightsInput): Promise<tf.Tensor> | tf.Tensor;

  async compute(input: StageCamInput): Promise<AttributionMap> {
    const [map] = await this.computeStages(input, [input.stage]);
    return map!;
  }

  /**
   * Maps at several stages (a layer sweep) from one forward and one backward pass: zero probes added at each
   * stage's output make the gradients at every stage fall out of the same backward pass, and the forward pass
   * hands over the activations on its way.
   */
  async computeStages(
    input: Omit<StageCamInput, 'stage'>,
    stages: readonly ExplainableStage[],
  ): Promise<AttributionMap[]> {
    const { network, x, classIndex } = input;
    const activations = new Map<ExplainableStage, tf.Tensor4D>();
    const gradients = new Map<ExplainableStage, tf.Tensor4D>();
    try {
      if (this.needsGradient) {
        const probes = stages.map((s) => tf.zeros([1, ...network.stageShape(s)]) as tf.Tensor4D);
        try {
          const grads = tf.grads((...p: tf.Tensor[]) =>
            classScores(
              network.probedScores(x, new Map(stages.map((s, i) => [s, p[i] as tf.Tensor4D])), (s, a) =>
                activations.set(s, tf.keep(a)),
              ),
              classIndex,
            ),
          )(probes);
          stages.forEach((s, i) => gradients.set(s, grads[i] as tf.Tensor4D));
        } finally {
          tf.dispose(probes);
        }
      } else {
        for (const s of stages) activations.set(s, network.toStage(x, s));
      }
      const maps: AttributionMap[] = [];
      for (const stage of stages) {
        maps.push(
          await this.mapFrom({ ...input, stage }, activations.get(stage)!, gradients.get(stage) ?? null),
        );
      }
      return maps;
    } finally {
      tf.dispose([...activations.values(), ...gradients.values()]);
    }
  }

  private async mapFrom(
    input: StageCamInput,
    activation: tf.Tensor4D,
    gradient: tf.Tensor4D | null,
  ): Promise<AttributionMap> {
    const [, height, width, channels] = activation.shape;
    const a3 = tf.reshape<tf.Rank.R3>(activation, [height, width, channels]);
    const g3 = gradient ? tf.reshape<tf.Rank.R3>(gradient, [height, width, channels]) : null;
    let weights: tf.Tensor | null = null;
    try {
      weights = await this.weights({ ...input, activation: a3, gradient: g3 });
      const w = weights;
      const map = tf.tidy(() => {
        const sum = tf.sum(tf.mul(a3, w), -1);
        return this.reluOutput ? tf.relu(sum) : sum;
      });
      const values = (await map.data()) as Float32Array;
      map.dispose();
      return { height, width, values };
    } finally {
      [a3, g3, weights].forEach((t) => t?.dispose());
    }
  }
}

/** The sum over the batch of class c's score (each image's gradient is its own: inference has no cross-talk). */
export function classScores(scores: tf.Tensor2D, classIndex: number): tf.Scalar {
  const [n, classes] = scores.shape;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) {
    throw new RangeError(`Class ${classIndex} does not exist (0..${classes - 1}).`);
  }
  return tf.sum(tf.slice(scores, [0, classIndex], [n, 1]));
}
