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
   * Maps at several stages (a layer sweep) from one forward pass and one backward pass: each stage's activation
   * is carried on to the next, and each stage's gradient is carried back from the next one's (a vector-Jacobian
   * product through the blocks between them), instead of a pass from the input and the head per stage.
   */
  async computeStages(
    input: Omit<StageCamInput, 'stage'>,
    stages: readonly ExplainableStage[],
  ): Promise<AttributionMap[]> {
    const { network, x, classIndex } = input;
    const order = [...stages].sort((a, b) => network.stages.indexOf(a) - network.stages.indexOf(b));
    const activations: tf.Tensor4D[] = [];
    const gradients: tf.Tensor4D[] = [];
    try {
      for (const [i, stage] of order.entries()) {
        activations.push(
          i === 0 ? network.toStage(x, stage) : network.between(activations[i - 1]!, order[i - 1]!, stage),
        );
      }
      if (this.needsGradient) {
        for (let i = order.length - 1; i >= 0; i--) {
          gradients[i] =
            i === order.length - 1
              ? classScoreGradient(network, activations[i]!, order[i]!, classIndex)
              : (tf.grad((a) => network.between(a as tf.Tensor4D, order[i]!, order[i + 1]!, true))(
                  activations[i]!,
                  gradients[i + 1]!,
                ) as tf.Tensor4D);
        }
      }
      const maps = new Map<ExplainableStage, AttributionMap>();
      for (const [i, stage] of order.entries()) {
        maps.set(stage, await this.mapFrom({ ...input, stage }, activations[i]!, gradients[i] ?? null));
      }
      return stages.map((s) => maps.get(s)!);
    } finally {
      tf.dispose([...activations, ...gradients]);
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

/** d score_c / d activation at one stage, for a batch of one: [1, h, w, K]. */
export function classScoreGradient(
  network: SplitNetwork,
  activation: tf.Tensor4D,
  stage: ExplainableStage,
  classIndex: number,
): tf.Tensor4D {
  const gradient = tf.grad((a) => classScores(network.fromStage(a as tf.Tensor4D, stage, true), classIndex));
  return gradient(activation) as tf.Tensor4D;
}

/** The sum over the batch of class c's score (each image's gradient is its own: inference has no cross-talk). */
export function classScores(scores: tf.Tensor2D, classIndex: number): tf.Scalar {
  const [n, classes] = scores.shape;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) {
    throw new RangeError(`Class ${classIndex} does not exist (0..${classes - 1}).`);
  }
  return tf.sum(tf.slice(scores, [0, classIndex], [n, 1]));
}
