/**
 * CAM (Zhou et al. 2016) at the last stage, through the same machinery as its successors: there the score is
 * mean_ij(A) . W_c + b, so the gradient at every position is W_c / (h w), and its spatial sum is exactly W_c.
 * No ReLU: CAM's map is the score's spatial layout (its mean plus the bias is the score).
 */
import * as tf from '@tensorflow/tfjs-core';

import { StageCam } from './stageCam';
import type { StageCamInput, WeightsInput } from './stageCam';
import type { AttributionMap } from './attributionMap';

export class Cam extends StageCam {
  readonly method = 'cam';
  protected override readonly reluOutput = false;

  override compute(input: StageCamInput): Promise<AttributionMap> {
    const last = input.network.stages.at(-1);
    if (input.stage !== last) {
      return Promise.reject(new RangeError(`CAM is defined at the last stage (${last}) only.`));
    }
    return super.compute(input);
  }

  protected weights({ gradient }: WeightsInput): tf.Tensor {
    return tf.sum(gradient!, [0, 1]);
  }
}
