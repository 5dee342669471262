/**
 * The network cut at a stage, for explanations: pixels to a stage's activation, and that activation on to the
 * class scores (pre-softmax logits). One interface over the fast ResNet18/34 path and a TF.js layers model.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { ExplainableStage } from '../shared/explain';
import { InputGradientKernels, convWithInputGradient } from './convGradient';
import type { FastResNet } from './fastResNet';

export type { ExplainableStage };

/** A stage as the classifier's summary names it: the output shape is for the model's own input size. */
export interface StageOutput {
  stage: ExplainableStage;
  outputShape: [number, number, number];
  /** The layer whose output is the stage's (layers models). */
  outputLayer?: string;
}

/** A residual block as the Network view names it, where it sits, and its output for the model's own input size. */
export interface BlockOutput {
  /** `layer4.1` (ResNet18/34), `conv5_block3` (ResNet50). */
  id: string;
  /** Its residual stage (0 = the first) and its place in that stage. */
  stage: number;
  index: number;
  outputShape: [number, number, number];
  /** The layer whose output is the block's (after the add and its ReLU). */
  outputLayer: string;
}

/** What can be re-drawn in the randomization test: the head alone, or everything from a stage up. */
export type RandomizationLevel = 'fc' | ExplainableStage;

/**
 * `differentiable` everywhere asks for ops whose gradients TF.js computes only where asked: slower than the
 * fused inference ops, so only gradient passes use it.
 */
export interface SplitNetwork {
  /** The stages whose outputs can be cut at, input side first (stem, then the residual stages). */
  readonly stages: readonly ExplainableStage[];
  /** Pre-softmax class scores [n, classes] of normalized NHWC images. */
  scores(x: tf.Tensor4D, differentiable?: boolean): tf.Tensor2D;
  toStage(x: tf.Tensor4D, stage: ExplainableStage, differentiable?: boolean): tf.Tensor4D;
  fromStage(activation: tf.Tensor4D, stage: ExplainableStage, differentiable?: boolean): tf.Tensor2D;
  /** A stage's output shape [h, w, channels] for the model's own input size. */
  stageShape(stage: ExplainableStage): [number, number, number];
  /** The residual blocks' names, input side first (none where the network was cut at its stages only). */
  readonly blocks: readonly string[];
  /** A block's output (after the add and its ReLU) for normalized NHWC images. */
  toBlock(x: tf.Tensor4D, block: string, differentiable?: boolean): tf.Tensor4D;
  /** A block's output shape [h, w, channels] for the model's own input size. */
  blockShape(block: string): [number, number, number];
  /**
   * Differentiable scores with `probes` (zeros shaped like the stages' outputs) added to those stages' outputs:
   * the gradients with respect to the probes are the gradients at the stages, all from one backward pass.
   * `seen` gets each probed stage's output as computed (inside the caller's gradient scope: keep what it keeps).
   */
  probedScores(
    x: tf.Tensor4D,
    probes: ReadonlyMap<ExplainableStage, tf.Tensor4D>,
    seen: (stage: ExplainableStage, activation: tf.Tensor4D) => void,
  ): tf.Tensor2D;
  /**
   * A copy whose weights from the head down to `level` (inclusive) are drawn afresh from their initial
   * distributions (`seed` decides them), the rest shared: the cascade of Adebayo et al. 2018. Dispose it.
   */
  randomizedFrom(level: RandomizationLevel, seed: number): SplitNetwork;
  /** Frees only what this view owns (a randomized copy's new weights); the model's own stay. */
  dispose(): void;
}

/** ResNet18/34 over FastResNet, whose stage outputs are numbered 0 (stem) to 4 (layer4). */
export class FastSplitNetwork implements SplitNetwork {
  readonly stages: readonly ExplainableStage[];
  private readonly shapes: [number, number, number][];

  constructor(
    private readonly fast: FastResNet,
    stages: readonly StageOutput[],
    private readonly blockOutputs: readonly BlockOutput[] = [],
    private readonly owned = false,
  ) {
    if (stages.length !== fast.stageCount) throw new Error('Stage names do not match the network');
    this.stages = stages.map((s) => s.stage);
    this.shapes = stages.map((s) => s.outputShape);
  }

  scores(x: tf.Tensor4D, differentiable = false): tf.Tensor2D {
    return tf.tidy(() => this.fast.fromStage(this.fast.toStage(x, 0, differentiable), 0, differentiable));
  }

  toStage(x: tf.Tensor4D, stage: ExplainableStage, differentiable = false): tf.Tensor4D {
    return this.fast.toStage(x, this.indexOf(stage), differentiable);
  }

  fromStage(activation: tf.Tensor4D, stage: ExplainableStage, differentiable = false): tf.Tensor2D {
    return this.fast.fromStage(activation, this.indexOf(stage), differentiable);
  }

  stageShape(stage: ExplainableStage): [number, number, number] {
    return this.shapes[this.indexOf(stage)]!;
  }

  get blocks(): string[] {
    return this.blockOutputs.map((b) => b.id);
  }

  toBlock(x: tf.Tensor4D, block: string, differentiable = false): tf.Tensor4D {
    const { stage, index } = blockNamed(this.blockOutputs, block);
    return this.fast.toBlock(x, stage, index, differentiable);
  }

  blockShape(block: string): [number, number, number] {
    return blockNamed(this.blockOutputs, block).outputShape;
  }

  probedScores(
    x: tf.Tensor4D,
    probes: ReadonlyMap<ExplainableStage, tf.Tensor4D>,
    seen: (stage: ExplainableStage, activation: tf.Tensor4D) => void,
  ): tf.Tensor2D {
    return this.fast.probedForward(
      x,
      this.stages.map((s) => probes.get(s) ?? null),
      (index, activation) => seen(this.stages[index]!, activation),
    );
  }

  randomizedFrom(level: RandomizationLevel, seed: number): SplitNetwork {
    const from = level === 'fc' ? this.stages.length : this.indexOf(level);
    const stages = this.stages.map((stage, i) => ({ stage, outputShape: this.shapes[i]! }));
    return new FastSplitNetwork(this.fast.randomizedFrom(from, seed), stages, this.blockOutputs, true);
  }

  dispose(): void {
    if (this.owned) this.fast.dispose();
  }

  private indexOf(stage: ExplainableStage): number {
    const index = this.stages.indexOf(stage);
    if (index < 0) throw new RangeError(`This model has no stage ${stage}`);
    return index;
  }
}

function blockNamed(blocks: readonly BlockOutput[], id: string): BlockOutput {
  const block = blocks.find((b) => b.id === id);
  if (!block) throw new RangeError(`This model has no block ${id}`);
  return block;
}

type Layer = LayersModel['layers'][number];

/** Replacement weights for one layer of a randomized copy ([kernel, bias] or BatchNorm's initial identity). */
type LayerOverride =
  { kind: 'weights'; kernel: tf.Tensor; bias: tf.Tensor | null } | { kind: 'identityNorm' };

/**
 * Any TF.js layers model whose stages end at known layers (ResNet50), run layer by layer over concrete tensors
 * so it can start at a stage's output. Convolutions, BatchNorm and Dense layers are computed here from their
 * weights (Keras' Conv2D's fused op would also compute its kernel's gradient; see convGradient.ts); the rest via
 * `apply`.
 * The score layer's softmax, if it has one, is left out: scores are pre-softmax.
 */
export class LayerGraphNetwork implements SplitNetwork {
  private readonly layers: Layer[];
  private readonly stageOutput = new Map<ExplainableStage, string>();
  private readonly shapes = new Map<ExplainableStage, [number, number, number]>();
  private readonly batchNormAffine = new Map<string, { scale: tf.Tensor1D; shift: tf.Tensor1D }>();
  /** Input-gradient kernels per convolution, made on the first differentiable pass. */
  private readonly gradientKernels = new Map<string, InputGradientKernels>();

  constructor(
    private readonly model: LayersModel,
    private readonly stageOutputs: readonly StageOutput[],
    private readonly blockOutputs: readonly BlockOutput[] = [],
    private readonly overrides = new Map<string, LayerOverride>(),
    private readonly ownedTensors: tf.Tensor[] = [],
  ) {
    this.layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    for (const { stage, outputLayer, outputShape } of stageOutputs) {
      if (!outputLayer) throw new Error(`Stage ${stage} names no output layer`);
      this.stageOutput.set(stage, outputLayer);
      this.shapes.set(stage, outputShape);
    }
  }

  get stages(): ExplainableStage[] {
    return [...this.stageOutput.keys()];
  }

  scores(x: tf.Tensor4D, differentiable = false): tf.Tensor2D {
    return this.run(this.inputName, x, this.scoreLayer.name, differentiable) as tf.Tensor2D;
  }

  toStage(x: tf.Tensor4D, stage: ExplainableStage, differentiable = false): tf.Tensor4D {
    return this.run(this.inputName, x, this.outputOf(stage), differentiable) as tf.Tensor4D;
  }

  fromStage(activation: tf.Tensor4D, stage: ExplainableStage, differentiable = false): tf.Tensor2D {
    return this.run(this.outputOf(stage), activation, this.scoreLayer.name, differentiable) as tf.Tensor2D;
  }

  /**
   * Runs from a stage's output until every layer in `names` has been computed, and returns their outputs in that
   * order (the caller owns them); a name that is the stage's own output layer gets (a copy of) `activation`.
   */
  outputsFrom(stage: ExplainableStage, activation: tf.Tensor4D, names: readonly string[]): tf.Tensor[] {
    const start = this.outputOf(stage);
    const wanted = names.filter((n) => n !== start);
    const last = this.layers.filter((l) => wanted.includes(l.name)).at(-1)?.name;
    return tf.tidy(() => {
      const got = new Map<string, tf.Tensor>([[start, tf.keep(tf.clone(activation))]]);
      if (last) {
        this.run(start, activation, last, false, (name, value) => {
          if (wanted.includes(name)) got.set(name, tf.keep(value));
          return value;
        });
      }
      const outputs = names.map((n) => got.get(n));
      if (outputs.some((t) => !t)) throw new Error(`Not every one of ${names.join(', ')} follows ${start}`);
      if (!names.includes(start)) got.get(start)!.dispose();
      return outputs as tf.Tensor[];
    });
  }

  /** The pre-softmax scores from any layer's output on (a block's, for Grad-CAM at that block). */
  scoresFromLayer(layerName: string, activation: tf.Tensor4D, differentiable = false): tf.Tensor2D {
    return this.run(layerName, activation, this.scoreLayer.name, differentiable) as tf.Tensor2D;
  }

  stageShape(stage: ExplainableStage): [number, number, number] {
    const shape = this.shapes.get(stage);
    if (!shape) throw new RangeError(`This model has no stage ${stage}`);
    return shape;
  }

  get blocks(): string[] {
    return this.blockOutputs.map((b) => b.id);
  }

  toBlock(x: tf.Tensor4D, block: string, differentiable = false): tf.Tensor4D {
    const { outputLayer } = blockNamed(this.blockOutputs, block);
    return this.run(this.inputName, x, outputLayer, differentiable) as tf.Tensor4D;
  }

  blockShape(block: string): [number, number, number] {
    return blockNamed(this.blockOutputs, block).outputShape;
  }

  probedScores(
    x: tf.Tensor4D,
    probes: ReadonlyMap<ExplainableStage, tf.Tensor4D>,
    seen: (stage: ExplainableStage, activation: tf.Tensor4D) => void,
  ): tf.Tensor2D {
    const byLayer = new Map<string, { stage: ExplainableStage; probe: tf.Tensor4D }>();
    for (const [stage, probe] of probes) byLayer.set(this.outputOf(stage), { stage, probe });
    return this.run(this.inputName, x, this.scoreLayer.name, true, (layerName, value) => {
      const probed = byLayer.get(layerName);
      if (!probed) return value;
      seen(probed.stage, value as tf.Tensor4D);
      return tf.add(value, probed.probe);
    }) as tf.Tensor2D;
  }

  randomizedFrom(level: RandomizationLevel, seed: number): SplitNetwork {
    // The model's layers are in construction order, so a stage is every layer after the previous stage's
    // output up to its own; the head is everything after the last stage.
    const firstRandom =
      level === 'fc'
        ? this.indexOfLayer(this.outputOf(this.stages.at(-1)!)) + 1
        : this.stages.indexOf(level) === 0
          ? 0
          : this.indexOfLayer(this.outputOf(this.stages[this.stages.indexOf(level) - 1]!)) + 1;
    const overrides = new Map<string, LayerOverride>();
    const owned: tf.Tensor[] = [];
    let nextSeed = seed;
    for (const layer of this.layers.slice(firstRandom)) {
      const className = layer.getClassName();
      if (className === 'BatchNormalization') overrides.set(layer.name, { kind: 'identityNorm' });
      if (className !== 'Conv2D' && className !== 'Dense') continue;
      const [kernel, bias] = layer.getWeights();
      const shape = kernel!.shape;
      const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt((className === 'Conv2D' ? 2 : 1) / fanIn);
      const fresh = tf.randomNormal(shape, 0, std, 'float32', nextSeed++);
      const zeros = bias ? tf.zerosLike(bias) : null;
      owned.push(fresh, ...(zeros ? [zeros] : []));
      overrides.set(layer.name, { kind: 'weights', kernel: fresh, bias: zeros });
    }
    return new LayerGraphNetwork(this.model, this.stageOutputs, this.blockOutputs, overrides, owned);
  }

  dispose(): void {
    this.ownedTensors.forEach((t) => t.dispose());
    this.ownedTensors.length = 0;
    this.gradientKernels.forEach((k) => k.dispose());
    this.gradientKernels.clear();
    this.batchNormAffine.forEach(({ scale, shift }) => tf.dispose([scale, shift]));
    this.batchNormAffine.clear();
  }

  /** A BatchNorm layer's inference transform as one scale and one shift per channel (made once, kept). */
  private affineOf(layer: Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
    let affine = this.batchNormAffine.get(layer.name);
    if (!affine) {
      const named = (suffix: string) =>
        layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`))?.read();
      const epsilon = layer.getConfig().epsilon as number;
      affine = tf.tidy(() => {
        const gamma = named('gamma');
        const beta = named('beta');
        const scale = tf.mul(tf.rsqrt(tf.add(named('moving_variance')!, epsilon)), gamma ?? 1) as tf.Tensor1D;
        const shift = tf.sub(beta ?? 0, tf.mul(named('moving_mean')!, scale)) as tf.Tensor1D;
        return { scale: tf.keep(scale), shift: tf.keep(shift) };
      });
      this.batchNormAffine.set(layer.name, affine);
    }
    return affine;
  }

  private get inputName(): string {
    return this.model.inputLayers[0]!.name;
  }

  private get scoreLayer(): Layer {
    return this.layers.at(-1)!;
  }

  private outputOf(stage: ExplainableStage): string {
    const name = this.stageOutput.get(stage);
    if (!name) throw new RangeError(`This model has no stage ${stage}`);
    return name;
  }

  private indexOfLayer(name: string): number {
    return this.layers.findIndex((l) => l.name === name);
  }

  /**
   * Runs every layer whose inputs are known, from `start` (fed `value`) until `until` has been computed;
   * `after` may replace a layer's output (the probes).
   */
  private run(
    start: string,
    value: tf.Tensor,
    until: string,
    differentiable: boolean,
    after: (layerName: string, value: tf.Tensor) => tf.Tensor = (_, v) => v,
  ): tf.Tensor {
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>([[start, value]]);
      for (const layer of this.layers) {
        if (values.has(layer.name)) continue;
        const inputs = layer.inboundNodes[0]!.inboundLayers.map((l) => values.get(l.name));
        if (inputs.some((t) => !t)) continue;
        values.set(layer.name, after(layer.name, this.apply(layer, inputs as tf.Tensor[], differentiable)));
        if (layer.name === until) return values.get(until)!;
      }
      throw new Error(`Layer ${until} cannot be reached from ${start}`);
    });
  }

  private apply(layer: Layer, inputs: tf.Tensor[], differentiable: boolean): tf.Tensor {
    const override = this.overrides.get(layer.name);
    const className = layer.getClassName();
    const isScoreLayer = layer === this.scoreLayer;
    if (!override && !differentiable && !isScoreLayer) {
      return layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor;
    }
    const x = inputs[0]!;
    const config = layer.getConfig();
    const weights = (): [tf.Tensor, tf.Tensor | null] => {
      if (override?.kind === 'weights') return [override.kernel, override.bias];
      const [kernel, bias] = layer.getWeights();
      return [kernel!, bias ?? null];
    };
    if (className === 'Conv2D') {
      if (config.activation !== 'linear') throw new Error(`Layer ${layer.name} has an activation`);
      const [kernel, bias] = weights();
      const strides = config.strides as [number, number];
      const dilations = [config.dilationRate].flat() as number[];
      if (strides[0] !== strides[1] || dilations.some((d) => d !== 1)) {
        throw new Error(`Layer ${layer.name} is configured in a way this path does not reproduce`);
      }
      const spec = {
        filter: kernel as tf.Tensor4D,
        bias: bias as tf.Tensor1D | null,
        strides: strides[0],
        pad: config.padding as 'same' | 'valid',
        activation: 'linear' as const,
      };
      if (differentiable) {
        let kernels = this.gradientKernels.get(layer.name);
        if (!kernels) {
          kernels = new InputGradientKernels(spec.filter, spec.strides);
          this.gradientKernels.set(layer.name, kernels);
        }
        return convWithInputGradient(x as tf.Tensor4D, spec, kernels);
      }
      return tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: spec.filter,
        bias: spec.bias ?? undefined,
        strides: spec.strides,
        pad: spec.pad,
      });
    }
    if (className === 'BatchNormalization') {
      const epsilon = config.epsilon as number;
      if (override?.kind === 'identityNorm') return tf.div(x, Math.sqrt(1 + epsilon));
      // As x * scale + shift per channel: TF.js' batchNorm gradient tiles its statistics to the activation's
      // full shape, which cost more than all of ResNet50's convolution gradients together.
      const { scale, shift } = this.affineOf(layer);
      return tf.add(tf.mul(x, scale), shift);
    }
    if (className === 'Dense') {
      const [kernel, bias] = weights();
      const y = tf.matMul(x, kernel);
      const linear = bias ? tf.add(y, bias) : y;
      if (isScoreLayer || config.activation === 'linear') return linear;
      if (config.activation === 'relu') return tf.relu(linear);
      throw new Error(`Layer ${layer.name} has an activation this path does not reproduce`);
    }
    return layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor;
  }
}
