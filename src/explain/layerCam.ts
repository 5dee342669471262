/** LayerCAM (Jiang et al. 2021): every position of every channel weighted by its own positive gradient. */
import * as tf from '@tensorflow/tfjs-core';

import { StageCam } from './stageCam';
import type { WeightsInput } from './stageCam';

export class LayerCam extends StageCam {
  readonly method = 'layercam';

  protected weights({ gradient }: WeightsInput): tf.Tensor {
    return tf.relu(gradient!);
  }
}
