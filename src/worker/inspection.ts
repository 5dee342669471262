/**
 * One image looked inside by one model: its stage activations, kept as plain arrays so the stages and class
 * activation maps can be redrawn with other options, and explained, without another forward pass.
 */
import type { Classifier, StageActivation } from '../model/classifier';
import type { BlockContribution } from '../shared/network';
import type { Prediction } from '../shared/predictions';
import type { CamRender, FeatureMapOptions, StageRender } from '../shared/protocol';
import type { StageName } from '../shared/variants';
import { drawCam, drawMap, drawStages } from './drawInspection';

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

  /** Every block's contribution, made on the first block detail asked for (a pass over the blocks), then kept. */
  private contributions: BlockContribution[] | null = null;

  /** Where a block sits: its residual stage (0 = the first), its place in it, and the stages' blocks. */
  private locate(nodeId: string) {
    const blocks = this.classifier.architecture().nodes.filter((n) => n.kind === 'block');
    const target = blocks.find((n) => n.id === nodeId);
    if (!target) throw new RangeError(`This model has no block ${nodeId}.`);
    const stageNames = [...new Set(blocks.map((b) => b.stage))];
    const inStage = (s: number) => blocks.filter((b) => b.stage === stageNames[s]);
    const stage = stageNames.indexOf(target.stage);
    return { target, stage, index: inStage(stage).indexOf(target), stageCount: stageNames.length, inStage };
  }

  /**
   * One block's contribution and output: its stage is run again from the kept output of the stage before it (a
   * few convolutions); the other stages only once per image, for every block's contribution.
   */
  async blockDetail(
    nodeId: string,
    options: FeatureMapOptions,
  ): Promise<{ contribution: BlockContribution; contributions: BlockContribution[]; map: StageRender }> {
    const { target, stage, index, stageCount, inStage } = this.locate(nodeId);
    // stages[0] is the stem's output: residual stage s reads stages[s].
    const input = (s: number) => this.stages[s]!.map;
    const { blocks: values, kept } = await this.classifier.stageBlocks(input(stage), stage, index);
    const named = (s: number, list: typeof values) =>
      list.map((v, i): BlockContribution => ({ nodeId: inStage(s)[i]!.id, ...v }));
    if (!this.contributions) {
      const all: BlockContribution[] = [];
      for (let s = 0; s < stageCount; s++) {
        const list = s === stage ? values : (await this.classifier.stageBlocks(input(s), s, null)).blocks;
        all.push(...named(s, list));
      }
      this.contributions = all;
    }
    const [map] = drawStages([{ stage: target.stage as StageName, map: kept! }], options);
    return { contribution: named(stage, values)[index]!, contributions: this.contributions, map: map! };
  }

  /** Grad-CAM at a block for `classIndex`, over the network's input like the class activation map. */
  async blockCam(nodeId: string, classIndex: number): Promise<CamRender> {
    const { stage, index } = this.locate(nodeId);
    const map = await this.classifier.blockGradCam(this.stages[stage]!.map, stage, index, classIndex);
    return drawMap(map, classIndex, this.classifier.preprocess.cropSize);
  }

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
