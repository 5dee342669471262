/**
 * One image looked inside by one model: its stage activations (and, for the newest, every block's output), kept as
 * plain arrays so the stages, class activation maps and block details need no other forward pass.
 */
import type { BlockRms } from '../model/blockValues';
import type { Classifier, StageActivation } from '../model/classifier';
import type { ActivationMap } from '../model/featureMaps';
import type { BlockContribution, NetworkNode } from '../shared/network';
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
    /**
     * Every block's output by residual stage, from the same pass (`Classifier.inspect`'s `blocks`), or null: with
     * them any block's input is at hand, so a detail runs that block alone.
     */
    private blocks: readonly (readonly ActivationMap[])[] | null = null,
  ) {}

  /** What is known of each block's values for this image, by node id: what details and the chart measured. */
  private readonly measured = new Map<string, BlockRms>();

  /**
   * Lets every block's output go (only the newest inspection keeps them: see Inspections); a detail then runs its
   * stage from the stage's input up to its block.
   */
  forgetBlocks(): void {
    this.blocks = null;
  }

  /** Whether every block's output is kept. */
  get hasBlocks(): boolean {
    return this.blocks !== null;
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

  /** Keeps the values a run measured for blocks `from`, `from + 1`, ... of a stage, unless already known. */
  private remember(blocks: readonly NetworkNode[], from: number, values: readonly BlockRms[]): void {
    values.forEach((v, i) => {
      const id = blocks[from + i]!.id;
      if (!this.measured.has(id)) this.measured.set(id, v);
    });
  }

  /**
   * One block's contribution and output, and nothing else. With every block's output kept, the block runs alone
   * from its input (the output of the block before it, or of the stage before for a stage's first), and its own
   * output is at hand already; without them its stage runs from the kept output of the stage before it (stages[0]
   * is the stem's output: residual stage s reads stages[s]), up to the block. Once its values are known, a block
   * whose output is kept (a stage's last always is: its stage's output) needs no run at all.
   */
  async blockDetail(
    nodeId: string,
    options: FeatureMapOptions,
  ): Promise<{ contribution: BlockContribution; map: StageRender }> {
    const { target, stage, index, blocks } = this.locate(nodeId);
    const kept = this.blocks?.[stage];
    const last = index === blocks.length - 1;
    let output = kept?.[index] ?? (last ? this.stages[stage + 1]?.map : undefined);
    let values = this.measured.get(nodeId);
    if (!values || !output) {
      const from = kept ? index : 0;
      const input = from === 0 ? this.stages[stage]!.map : kept![from - 1]!;
      const run = await this.classifier.stageBlocks(input, stage, index, { from, output: !output });
      this.remember(blocks, from, run.blocks);
      values = run.blocks.at(-1)!;
      output ??= run.kept!;
    }
    const [map] = drawStages([{ stage: target.stage as StageName, map: output }], options);
    return { contribution: { nodeId, ...values }, map: map! };
  }

  /** Every block's contribution, input side first: the stages not yet wholly measured run once, then are kept. */
  async blockContributions(): Promise<BlockContribution[]> {
    const all: BlockContribution[] = [];
    for (const [s, blocks] of this.residualStages().entries()) {
      if (blocks.some((b) => !this.measured.has(b.id))) {
        this.remember(blocks, 0, (await this.classifier.stageBlocks(this.stages[s]!.map, s, null)).blocks);
      }
      all.push(...blocks.map((b): BlockContribution => ({ nodeId: b.id, ...this.measured.get(b.id)! })));
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
