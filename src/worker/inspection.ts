/**
 * One image looked inside by one model: its stage activations, kept as plain arrays so the stages and class
 * activation maps can be redrawn with other options, and explained, without another forward pass.
 */
import type { Classifier, StageActivation } from '../model/classifier';
import type { Prediction } from '../shared/predictions';
import type { CamRender, FeatureMapOptions, StageRender } from '../shared/protocol';
import { drawCam, drawStages } from './drawInspection';

export class Inspection {
  constructor(
    /** The model that produced the activations; the inspection is stale once another one is active. */
    readonly classifier: Classifier,
    readonly stages: readonly StageActivation[],
    /** The crop (RGBA, the model's input size) the activations came from: what explanations perturb. */
    readonly crop: Uint8ClampedArray,
    /** The model's top predictions for the crop, from the same pass. */
    readonly predictions: readonly Prediction[],
  ) {}

  drawStages(options: FeatureMapOptions): StageRender[] {
    return drawStages(this.stages, options);
  }

  async drawCam(classIndex: number): Promise<CamRender> {
    const fc = await this.classifier.fcKernel();
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= fc.classes) {
      throw new RangeError(`Class ${classIndex} does not exist (0..${fc.classes - 1}).`);
    }
    return drawCam(this.stages.at(-1)!.map, fc, classIndex, this.classifier.preprocess.cropSize);
  }
}
