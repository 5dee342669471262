/** Grad-CAM (Selvaraju et al. 2017): each channel weighted by the spatial mean of the class score's gradient. */
import * as tf from '@tensorflow/tfjs-core';

import { StageCam } from './stageCam';
import type { WeightsInput } from './stageCam';

export class GradCam extends StageCam {
  readonly method = 'gradcam';

  protected weights({ gradient }: WeightsInput): tf.Tensor {
    return tf.mean(gradient!, [0, 1]);
  }
}
