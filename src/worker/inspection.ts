/**
 * One image looked inside by one model: its stage activations, kept as plain arrays so the stages and class
 * activation maps can be redrawn with other options, and explained, without another forward pass.
 */
import type { BlockRms } from '../model/blockValues';
import type { Classifier, StageActivation } from '../model/classifier';
import type { ActivationMap } from '../model/featureMaps';
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

  /**
   * What is known of each residual stage's blocks for this image, input side first: a prefix of the stage (a detail
   * runs it only up to its block), the whole stage once the chart or its last block asked.
   */
  private readonly measured = new Map<number, BlockRms[]>();

  /** The model's blocks by residual stage (0 = the first), input side first. */
  private residualStages() {
    const blocks = this.classifier.architecture().nodes.filter((n) => n.kind === 'block');
    return [...new Set(blocks.map((b) => b.stage))].map((name) => blocks.filter((b) => b.stage === name));
  }

  /** Where a block sits: its residual stage, its place in it, and that stage's blocks. */
  private locate(nodeId: string) {
    const stages = this.residualStages();
    const stage = stages.findIndex((blocks) => blocks.some((b) => b.id === nodeId));
    if (stage < 0) throw new RangeError(`This model has no block ${nodeId}.`);
    const blocks = stages[stage]!;
    const index = blocks.findIndex((b) => b.id === nodeId);
    return { target: blocks[index]!, stage, index, blocks };
  }

  /** Keeps what a run of stage `stage` measured, unless more of the stage is known already. */
  private remember(stage: number, values: BlockRms[]): void {
    if (values.length > (this.measured.get(stage)?.length ?? 0)) this.measured.set(stage, values);
  }

  /**
   * One block's contribution and output, and nothing else: its stage runs again from the kept output of the stage
   * before it (stages[0] is the stem's output: residual stage s reads stages[s]), up to the block. The last block's
   * output is the kept output of its stage, so once its values are known it needs no run at all.
   */
  async blockDetail(
    nodeId: string,
    options: FeatureMapOptions,
  ): Promise<{ contribution: BlockContribution; map: StageRender }> {
    const { target, stage, index, blocks } = this.locate(nodeId);
    const known = this.measured.get(stage)?.[index];
    const stageOutput = this.stages[stage + 1]?.map;
    let values: BlockRms;
    let output: ActivationMap;
    if (known && stageOutput && index === blocks.length - 1) {
      values = known;
      output = stageOutput;
    } else {
      const run = await this.classifier.stageBlocks(this.stages[stage]!.map, stage, index);
      this.remember(stage, run.blocks);
      values = run.blocks[index]!;
      output = run.kept!;
    }
    const [map] = drawStages([{ stage: target.stage as StageName, map: output }], options);
    return { contribution: { nodeId, ...values }, map: map! };
  }

  /** Every block's contribution, input side first: the stages not yet wholly measured run once, then are kept. */
  async blockContributions(): Promise<BlockContribution[]> {
    const all: BlockContribution[] = [];
    for (const [s, blocks] of this.residualStages().entries()) {
      if ((this.measured.get(s)?.length ?? 0) < blocks.length) {
        this.remember(s, (await this.classifier.stageBlocks(this.stages[s]!.map, s, null)).blocks);
      }
      all.push(...this.measured.get(s)!.map((v, i): BlockContribution => ({ nodeId: blocks[i]!.id, ...v })));
    }
    return all;
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
