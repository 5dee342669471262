/**
 * One image looked inside by one model: its stage activations (and, for the newest, every block's output), kept as
 * plain arrays so the stages, class activation maps and block details need no other forward pass.
 */
import type { BlockRms } from '../model/blockValues';
import type { Classifier, InspectedBlock, StageActivation } from '../model/classifier';
import type { ActivationMap } from '../model/featureMaps';
import type { BlockContribution } from '../shared/network';
import type { Prediction } from '../shared/predictions';
import type { CamRender, FeatureMapOptions, StageRender } from '../shared/protocol';
import type { StageName } from '../shared/variants';
import { drawCam, drawMap, drawStages } from './drawInspection';

export class Inspection {
  /** Every block's output by residual stage, input side first, while kept (see `forgetBlocks`). */
  private outputs: readonly (readonly ActivationMap[])[] | null;
  /** What is known of each block's values for this image, by `${stage}.${index}`: given, or a run measured. */
  private readonly measured = new Map<string, BlockRms>();

  constructor(
    /** The model that produced the activations; the inspection is stale once another one is active. */
    readonly classifier: Classifier,
    readonly stages: readonly StageActivation[],
    /** The crop (RGBA, the model's input size) the activations came from: what explanations perturb. */
    readonly crop: Uint8ClampedArray,
    /** The model's top predictions for the crop, from the same pass. */
    readonly predictions: readonly Prediction[],
    /** Every block's output and values from the same pass (`Classifier.inspect`'s `blocks`), if it gave them. */
    blocks: readonly (readonly InspectedBlock[])[] | null = null,
  ) {
    this.outputs = blocks?.map((stage) => stage.map((b) => b.output)) ?? null;
    blocks?.forEach((stage, s) => stage.forEach((b, i) => this.measured.set(`${s}.${i}`, b.values)));
  }

  /**
   * Lets every block's output go (only the newest inspection keeps them: see Inspections); their values stay (a
   * few numbers). A detail of a block inside a stage then runs its stage up to the block for its output.
   */
  forgetBlocks(): void {
    this.outputs = null;
  }

  /** Whether every block's output is kept. */
  get hasBlocks(): boolean {
    return this.outputs !== null;
  }

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

  /** Keeps the values a run of stage `stage` measured, unless already known. */
  private remember(stage: number, values: readonly BlockRms[]): void {
    values.forEach((v, i) => {
      if (!this.measured.has(`${stage}.${i}`)) this.measured.set(`${stage}.${i}`, v);
    });
  }

  /**
   * One block's contribution and output. After a Look inside pass that gave every block's values and output this
   * runs nothing: it draws. Otherwise the block's stage runs again from the kept output of the stage before it
   * (stages[0] is the stem's output: residual stage s reads stages[s]), up to the block; a stage's last block's
   * output is its stage's kept output, so once its values are known it needs no run either.
   */
  async blockDetail(
    nodeId: string,
    options: FeatureMapOptions,
  ): Promise<{ contribution: BlockContribution; map: StageRender }> {
    const { target, stage, index, blocks } = this.locate(nodeId);
    const last = index === blocks.length - 1;
    let output = this.outputs?.[stage]?.[index] ?? (last ? this.stages[stage + 1]?.map : undefined);
    let values = this.measured.get(`${stage}.${index}`);
    if (!values || !output) {
      const run = await this.classifier.stageBlocks(this.stages[stage]!.map, stage, index);
      this.remember(stage, run.blocks);
      // What was known first, so the detail agrees with the chart.
      values = this.measured.get(`${stage}.${index}`)!;
      output = run.kept!;
    }
    const [map] = drawStages([{ stage: target.stage as StageName, map: output }], options);
    return { contribution: { nodeId, ...values }, map: map! };
  }

  /** Every block's contribution, input side first: the stages not yet wholly known run once, then are kept. */
  async blockContributions(): Promise<BlockContribution[]> {
    const all: BlockContribution[] = [];
    for (const [s, blocks] of this.residualStages().entries()) {
      if (blocks.some((_, i) => !this.measured.has(`${s}.${i}`))) {
        this.remember(s, (await this.classifier.stageBlocks(this.stages[s]!.map, s, null)).blocks);
      }
      all.push(
        ...blocks.map((b, i): BlockContribution => ({ nodeId: b.id, ...this.measured.get(`${s}.${i}`)! })),
      );
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
