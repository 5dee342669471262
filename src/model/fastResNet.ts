/** The fast inference path for ResNet18/34: BatchNorm folded into the convolutions, fused conv+bias+ReLU. */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { blockPrefix } from './buildResNet';
import { InputGradientKernels, convWithInputGradient } from './convGradient';
import type { ConvPad } from './convGradient';
import { VARIANTS } from '../shared/variants';
import type { BuildFlavor, BuildableVariantId } from '../shared/variants';

type Pad = ConvPad;

/** A conv's input-gradient kernels (made on first use, kept). */
type Flip = (c: FoldedConv) => InputGradientKernels;

/**
 * Where kernels come from when not from the model's variables: a layer name and shape to its values, or null
 * to read the variable. Lets a seeded build hand its kernels straight to the fast path.
 */
export type KernelSource = (layerName: string, shape: readonly number[]) => Float32Array | null;

/** A convolution with its BatchNorm (if any) folded in: one fused op at inference. */
interface FoldedConv {
  filter: tf.Tensor4D;
  /** Null only where the bias was moved onto another conv whose output this one is added to. */
  bias: tf.Tensor1D | null;
  strides: number;
  pad: Pad;
  outChannels: number;
}

interface FastBlock {
  conv1: FoldedConv;
  conv2: FoldedConv;
  /** Null: identity shortcut. */
  shortcut: FoldedConv | null;
  /**
   * conv2's folded bias where it rides on the shortcut's (host copy, no tensor kept): what `stageParts` moves back
   * so the branch values are the unfolded network's.
   */
  movedBias?: Float32Array | null;
}

/** One block's values as the unfolded network has them: residual branch and shortcut before the add, output. */
export type BlockParts = { residual: tf.Tensor4D; shortcut: tf.Tensor4D; output: tf.Tensor4D };

/**
 * Stage outputs of one forward pass: stem (after the max-pool), layer1..layer4, then the logits; and, when asked,
 * every block's parts by residual stage (a stage's last output is its stage output, the same tensor).
 */
export type FastResNetOutputs = { stages: tf.Tensor4D[]; logits: tf.Tensor2D; blocks?: BlockParts[][] };

type Layer = LayersModel['layers'][number];

/** Host copies of a conv layer's weights plus how it is applied (padding layer included). */
interface ConvParams {
  kernel: Float32Array;
  shape: [number, number, number, number];
  bias: Float32Array | null;
  strides: number;
  pad: Pad;
}

interface BnParams {
  gamma: Float32Array | null;
  beta: Float32Array | null;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/**
 * ResNet18/34 inference with every BatchNorm folded into the convolution before it and each
 * conv + bias + ReLU run as one `tf.fused.conv2d`. It computes what the tf.layers model computes (same
 * padding, same arithmetic up to float32 rounding of the folded weights) with about half as many ops and
 * no BatchNorm passes over the activations.
 *
 * The weights are copies, folded in float64 once at construction: the layers model is left untouched
 * and stays the caller's to keep or dispose; this object owns only its own tensors (`numTensors`).
 */
export class FastResNet {
  private disposed = false;
  /** Flipped kernels for input gradients, made on the first differentiable pass (explanations only). */
  private readonly flipped = new Map<FoldedConv, InputGradientKernels>();

  private constructor(
    private readonly stem: FoldedConv,
    private readonly stemPool: { size: number; strides: number; pad: Pad },
    /** Blocks per stage, layer1..layer4. */
    private readonly stages: FastBlock[][],
    private readonly fcKernel: tf.Tensor2D,
    private readonly fcBias: tf.Tensor1D | null,
    private readonly owned: tf.Tensor[],
  ) {}

  /**
   * Reads and folds the weights of a model made by `buildResNet` (or one with weights loaded into it).
   * Throws if the model has any layer the given variant and flavor would not have, or a layer configured
   * differently from what this fast path reproduces, so a mismatch cannot silently give other numbers.
   * Reads every weight back synchronously (`dataSync`), which on WebGL waits for the GPU: call it once per
   * model, not per image.
   */
  static fromLayersModel(
    model: LayersModel,
    variant: BuildableVariantId,
    flavor: BuildFlavor,
    kernelSource?: KernelSource,
  ): FastResNet {
    const reader = new ModelReader(model, kernelSource);
    const owned: tf.Tensor[] = [];
    try {
      const upload = (c: ConvParams, bn: BnParams | null, keepBias = true): FoldedConv => {
        const folded = bn ? foldBatchNorm(c, bn) : c;
        const filter = tf.tensor4d(folded.kernel, c.shape);
        owned.push(filter);
        let bias: tf.Tensor1D | null = null;
        if (keepBias && folded.bias) {
          bias = tf.tensor1d(folded.bias);
          owned.push(bias);
        }
        return { filter, bias, strides: c.strides, pad: c.pad, outChannels: c.shape[3] };
      };

      const stem = upload(reader.conv('stem_conv'), reader.batchNorm('stem_bn'));
      reader.relu('stem_relu');
      const stemPool = reader.maxPool('stem_pool');

      let channels = stem.outChannels;
      const stages = VARIANTS[variant].blocksPerStage.map((blocks, stage) =>
        Array.from({ length: blocks }, (_, block): FastBlock => {
          const p = blockPrefix(stage, block);
          const conv1 = upload(reader.conv(`${p}_conv1`), reader.batchNorm(`${p}_bn1`));
          reader.relu(`${p}_relu1`);
          const conv2Params = foldBatchNorm(reader.conv(`${p}_conv2`), reader.batchNorm(`${p}_bn2`));

          let shortcut: FoldedConv | null = null;
          let conv2: FoldedConv;
          let movedBias: Float32Array | null = null;
          if (flavor === 'reference' || reader.has(`${p}_downsample_conv`)) {
            const sc =
              flavor === 'reference'
                ? reader.conv(`${p}_shortcut`)
                : foldBatchNorm(reader.conv(`${p}_downsample_conv`), reader.batchNorm(`${p}_downsample_bn`));
            // Both branches are summed before the ReLU, so conv2's bias can ride on the shortcut's: one
            // bias add fewer per block on backends that do not fuse it into the convolution.
            shortcut = upload({ ...sc, bias: addVectors(sc.bias, conv2Params.bias) }, null);
            conv2 = upload(conv2Params, null, false);
            movedBias = conv2Params.bias;
          } else {
            if (conv1.strides !== 1 || channels !== conv2Params.shape[3]) {
              throw new Error(`${p}: an identity shortcut needs stride 1 and unchanged width`);
            }
            conv2 = upload(conv2Params, null);
          }
          reader.expect(`${p}_add`, 'Add');
          reader.relu(`${p}_out`);
          channels = conv2.outChannels;
          return { conv1, conv2, shortcut, movedBias };
        }),
      );

      reader.expect('avgpool', 'GlobalAveragePooling2D');
      const fc = reader.dense('fc');
      const fcKernel = tf.tensor2d(fc.kernel, fc.shape);
      owned.push(fcKernel);
      const fcBias = fc.bias ? tf.tensor1d(fc.bias) : null;
      if (fcBias) owned.push(fcBias);

      reader.assertAllRead(`${variant} (${flavor})`);
      return new FastResNet(stem, stemPool, stages, fcKernel, fcBias, owned);
    } catch (err) {
      owned.forEach((t) => t.dispose());
      throw err;
    }
  }

  /** Tensors this object owns for inference (all freed by `dispose`, with any made for gradients). */
  get numTensors(): number {
    return this.disposed ? 0 : this.owned.length;
  }

  /** Logits [n, classes] for normalized NHWC images; only the result survives, the caller owns it. */
  predict(x: tf.Tensor4D): tf.Tensor2D {
    this.assertUsable();
    return tf.tidy(() => this.forward(x, null));
  }

  /**
   * The last stage's output averaged over its positions, [n, channels]: what the head reads, for a head taught on
   * it. The same pass as `predict` without the head; only the result survives, the caller owns it.
   */
  pooledFeatures(x: tf.Tensor4D): tf.Tensor2D {
    this.assertUsable();
    return tf.tidy(() => {
      let h = this.stemForward(x, false);
      for (const blocks of this.stages) h = stageForward(h, blocks, null);
      return tf.mean(h, [1, 2]) as tf.Tensor2D;
    });
  }

  /**
   * Same pass, also returning every stage's output, and with `blocks` every block's parts as `stageParts` gives
   * them (the caller owns and disposes all of them: a stage's last block output is its stage output, one tensor
   * listed twice).
   */
  predictWithStages(x: tf.Tensor4D, blocks = false): FastResNetOutputs {
    this.assertUsable();
    return tf.tidy(() => {
      const stages: tf.Tensor4D[] = [];
      const blockParts: BlockParts[][] | null = blocks ? [] : null;
      const logits = this.forward(x, stages, blockParts);
      return { stages, logits, ...(blockParts ? { blocks: blockParts } : {}) };
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.owned.forEach((t) => t.dispose());
    this.flipped.forEach((t) => t.dispose());
    this.flipped.clear();
  }

  private forward(
    x: tf.Tensor4D,
    stageOutputs: tf.Tensor4D[] | null,
    blockParts: BlockParts[][] | null = null,
  ): tf.Tensor2D {
    let h = this.stemForward(x, false);
    stageOutputs?.push(h);
    for (const blocks of this.stages) {
      const parts: BlockParts[] = [];
      h = stageForward(h, blocks, null, blockParts ? parts : null);
      stageOutputs?.push(h);
      blockParts?.push(parts);
    }
    return this.head(h, false);
  }

  private stemForward(x: tf.Tensor4D, differentiable: boolean): tf.Tensor4D {
    const h = conv(x, this.stem, 'relu', this.flipFor(differentiable));
    return tf.maxPool(h, this.stemPool.size, this.stemPool.strides, this.stemPool.pad);
  }

  private head(h: tf.Tensor4D, differentiable: boolean): tf.Tensor2D {
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    if (differentiable) {
      const scores = tf.matMul(pooled, this.fcKernel) as tf.Tensor2D;
      return this.fcBias ? (tf.add(scores, this.fcBias) as tf.Tensor2D) : scores;
    }
    return tf.fused.matMul({ a: pooled, b: this.fcKernel, bias: this.fcBias ?? undefined }) as tf.Tensor2D;
  }

  /**
   * Stage outputs are numbered 0 (the stem, after its max-pool) to 4 (layer4). Runs normalized images up to
   * stage `to`'s output; `differentiable` uses ops whose gradients TF.js computes only where asked (see `conv`).
   */
  toStage(x: tf.Tensor4D, to: number, differentiable = false): tf.Tensor4D {
    this.assertUsable();
    this.assertStageIndex(to);
    return tf.tidy(() => {
      let h = this.stemForward(x, differentiable);
      for (let s = 0; s < to; s++) h = stageForward(h, this.stages[s]!, this.flipFor(differentiable));
      return h;
    });
  }

  /**
   * Runs normalized images to the output of block `block` of residual stage `stage` (0 = layer1): the stages
   * before it whole, then that stage's blocks up to this one (feature visualization of a block's channel).
   */
  toBlock(x: tf.Tensor4D, stage: number, block: number, differentiable = false): tf.Tensor4D {
    this.assertUsable();
    const blocks = this.stages[stage];
    if (!blocks?.[block]) throw new RangeError(`No block ${block} in residual stage ${stage}`);
    return tf.tidy(() =>
      stageForward(
        this.toStage(x, stage, differentiable),
        blocks.slice(0, block + 1),
        this.flipFor(differentiable),
      ),
    );
  }

  /** Runs stage `from`'s output through the rest of the network to the logits. */
  fromStage(h: tf.Tensor4D, from: number, differentiable = false): tf.Tensor2D {
    this.assertUsable();
    this.assertStageIndex(from);
    return tf.tidy(() => {
      let out = h;
      for (let s = from; s < this.stages.length; s++) {
        out = stageForward(out, this.stages[s]!, this.flipFor(differentiable));
      }
      return this.head(out, differentiable);
    });
  }

  /**
   * The differentiable pass to the logits with `probes[i]` (if any) added to stage output i, after `seen` has
   * been shown it: gradients with respect to the probes are the gradients at the stages. Not in a tidy scope of
   * its own: it runs inside the caller's gradient function.
   */
  probedForward(
    x: tf.Tensor4D,
    probes: readonly (tf.Tensor4D | null)[],
    seen: (index: number, activation: tf.Tensor4D) => void,
  ): tf.Tensor2D {
    this.assertUsable();
    const flip = this.flipFor(true);
    const visit = (index: number, h: tf.Tensor4D): tf.Tensor4D => {
      const probe = probes[index];
      if (!probe) return h;
      seen(index, h);
      return tf.add(h, probe);
    };
    let h = visit(0, this.stemForward(x, true));
    for (const [s, blocks] of this.stages.entries()) h = visit(s + 1, stageForward(h, blocks, flip));
    return this.head(h, true);
  }

  /**
   * The blocks of residual stage `stage` (0 = layer1) run from `h`, the output of the stage before it, up to block
   * `through` (every block when null): each block's residual branch and shortcut before the add, as the unfolded
   * network has them (conv2's bias, which the fast path adds on the shortcut, moved back onto the branch), and its
   * output. The caller owns every tensor.
   */
  stageParts(h: tf.Tensor4D, stage: number, through: number | null = null): BlockParts[] {
    this.assertUsable();
    const blocks = this.stages[stage];
    if (!blocks) throw new RangeError(`No residual stage ${stage} (0..${this.stages.length - 1})`);
    if (through !== null && !blocks[through]) throw new RangeError(`No block ${through} in this stage`);
    return tf.tidy(() => {
      const parts: BlockParts[] = [];
      stageForward(h, through === null ? blocks : blocks.slice(0, through + 1), null, parts);
      return parts;
    });
  }

  /**
   * Grad-CAM at one block: the output A of block `block` of residual stage `stage` (run from `h`, the output of
   * the stage before), the gradient g of class `classIndex`'s pre-softmax score with respect to A, and
   * relu(sum_c mean(g_c) A_c), [1, H, W]. The caller owns the result.
   */
  blockGradCam(h: tf.Tensor4D, stage: number, block: number, classIndex: number): tf.Tensor3D {
    this.assertUsable();
    const blocks = this.stages[stage];
    if (!blocks?.[block]) throw new RangeError(`No block ${block} in residual stage ${stage}`);
    const flip = this.flipFor(true);
    return tf.tidy(() => {
      const a = stageForward(h, blocks.slice(0, block + 1), null);
      const score = (x: tf.Tensor): tf.Tensor => {
        let out = stageForward(x as tf.Tensor4D, blocks.slice(block + 1), flip);
        for (let s = stage + 1; s < this.stages.length; s++) out = stageForward(out, this.stages[s]!, flip);
        return tf.sum(tf.slice(this.head(out, true), [0, classIndex], [1, 1]));
      };
      const g = tf.grad(score)(a);
      return tf.relu(tf.sum(tf.mul(a, tf.mean(g, [1, 2], true)), -1)) as tf.Tensor3D;
    });
  }

  /** The number of stage outputs (stem + layer1..layer4). */
  get stageCount(): number {
    return this.stages.length + 1;
  }

  /**
   * A copy whose weights from the head down to stage `from` (0 = stem .. 4 = layer4; 5 = the head alone) are
   * drawn afresh: He-normal convolutions with BatchNorm at its initial identity (so zero biases), and a
   * normal(0, 1/sqrt(fan_in)) head. Weights above `from` are shared with this model, not copied; the copy owns
   * (and its `dispose` frees) only the new ones. For the model-parameter randomization test.
   */
  randomizedFrom(from: number, seed: number): FastResNet {
    this.assertUsable();
    if (!Number.isInteger(from) || from < 0 || from > this.stageCount) {
      throw new RangeError(`No stage ${from} to randomize from`);
    }
    const owned: tf.Tensor[] = [];
    let nextSeed = seed;
    const fresh = (c: FoldedConv): FoldedConv => {
      const [kh, kw, cin] = c.filter.shape;
      const filter = tf.randomNormal<tf.Rank.R4>(
        c.filter.shape,
        0,
        Math.sqrt(2 / (kh * kw * cin)),
        'float32',
        nextSeed++,
      );
      const bias = c.bias ? tf.zerosLike(c.bias) : null;
      owned.push(filter, ...(bias ? [bias] : []));
      return { ...c, filter, bias };
    };
    const stem = from === 0 ? fresh(this.stem) : this.stem;
    const stages = this.stages.map((blocks, s) =>
      s + 1 >= from
        ? blocks.map((b) => ({
            conv1: fresh(b.conv1),
            conv2: fresh(b.conv2),
            shortcut: b.shortcut ? fresh(b.shortcut) : null,
          }))
        : blocks,
    );
    const [features, classes] = this.fcKernel.shape;
    const fcKernel = tf.randomNormal<tf.Rank.R2>(
      [features, classes],
      0,
      Math.sqrt(1 / features),
      'float32',
      nextSeed++,
    );
    const fcBias = this.fcBias ? tf.zerosLike(this.fcBias) : null;
    owned.push(fcKernel, ...(fcBias ? [fcBias] : []));
    return new FastResNet(stem, this.stemPool, stages, fcKernel, fcBias, owned);
  }

  private flipFor(differentiable: boolean): Flip | null {
    if (!differentiable) return null;
    return (c) => {
      let kernels = this.flipped.get(c);
      if (!kernels) {
        kernels = new InputGradientKernels(c.filter, c.strides);
        this.flipped.set(c, kernels);
      }
      return kernels;
    };
  }

  private assertStageIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index > this.stages.length) {
      throw new RangeError(`No stage output ${index} (0..${this.stages.length})`);
    }
  }

  /** The classifier head's kernel [features, classes] (not folded: the same as the layers model's). */
  async fcKernelData(): Promise<{ data: Float32Array; shape: [number, number] }> {
    return { data: (await this.fcKernel.data()) as Float32Array, shape: this.fcKernel.shape };
  }

  /** The classifier head's bias, zeros where the head has none. */
  async fcBiasData(): Promise<Float32Array> {
    return this.fcBias
      ? ((await this.fcBias.data()) as Float32Array)
      : new Float32Array(this.fcKernel.shape[1]);
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('This FastResNet has been disposed');
  }
}

/**
 * One folded convolution as a fused op. With `flip` (a differentiable pass), it carries a gradient for its input
 * computed as a forward convolution with the flipped kernel (convGradient.ts), which `flip` provides.
 */
function conv(
  x: tf.Tensor4D,
  c: FoldedConv,
  activation: 'relu' | 'linear',
  flip: Flip | null = null,
): tf.Tensor4D {
  const spec = { filter: c.filter, bias: c.bias, strides: c.strides, pad: c.pad, activation };
  if (flip) return convWithInputGradient(x, spec, flip(c));
  return tf.fused.conv2d({
    x,
    filter: c.filter,
    bias: c.bias ?? undefined,
    strides: c.strides,
    pad: c.pad,
    activation,
  });
}

/** Runs `blocks` from `h`; with `parts`, each block's parts are pushed there (see `blockForward`). */
function stageForward(
  h: tf.Tensor4D,
  blocks: readonly FastBlock[],
  flip: Flip | null,
  parts: BlockParts[] | null = null,
): tf.Tensor4D {
  let out = h;
  for (const block of blocks) out = blockForward(out, block, flip, parts);
  return out;
}

/**
 * One block's output. With `parts`, its residual branch and shortcut before the add are pushed there as the
 * unfolded network has them (conv2's bias, which rides on the shortcut here, moved back onto the branch), with
 * the output: two more element-wise ops where a bias was moved, the output itself computed as without.
 */
function blockForward(
  h: tf.Tensor4D,
  block: FastBlock,
  flip: Flip | null,
  parts: BlockParts[] | null,
): tf.Tensor4D {
  const y = conv(h, block.conv1, 'relu', flip);
  const z = conv(y, block.conv2, 'linear', flip);
  // tf.fused.conv2d has no residual input (its bias must be rank 1 on WASM, and `prelu` weights
  // multiply), so the sum and its ReLU stay two element-wise ops.
  const shortcut = block.shortcut ? conv(h, block.shortcut, 'linear', flip) : h;
  const out = tf.relu(tf.add<tf.Tensor4D>(z, shortcut));
  if (parts) {
    // An identity shortcut is the block's input: a copy (sharing its data), so each part is the caller's own.
    let [residual, skip] = [z, block.shortcut ? shortcut : tf.clone(h)];
    if (block.movedBias) {
      const moved = tf.tensor1d(block.movedBias);
      residual = tf.add<tf.Tensor4D>(residual, moved);
      skip = tf.sub<tf.Tensor4D>(skip, moved);
    }
    parts.push({ residual, shortcut: skip, output: out });
  }
  return out;
}

/**
 * BN(conv(x) + b) = conv'(x) + b' with w' = w * s and b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps),
 * per output channel (the last axis of an HWIO kernel). Float64 here, so the only extra rounding is the
 * final one to float32.
 */
function foldBatchNorm(c: ConvParams, bn: BnParams): ConvParams {
  const outChannels = c.shape[3];
  const scale = new Float64Array(outChannels);
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const s = (bn.gamma ? bn.gamma[o]! : 1) / Math.sqrt(bn.variance[o]! + bn.epsilon);
    scale[o] = s;
    bias[o] = ((c.bias ? c.bias[o]! : 0) - bn.mean[o]!) * s + (bn.beta ? bn.beta[o]! : 0);
  }
  // HWIO layout: the output channel is the fastest-moving index.
  const kernel = new Float32Array(c.kernel.length);
  for (let base = 0; base < kernel.length; base += outChannels) {
    for (let o = 0; o < outChannels; o++) kernel[base + o] = c.kernel[base + o]! * scale[o]!;
  }
  return { ...c, kernel, bias };
}

function addVectors(a: Float32Array | null, b: Float32Array | null): Float32Array | null {
  if (!a || !b) return a ?? b;
  return a.map((v, i) => v + b[i]!);
}

/**
 * Looks layers up by the names `buildResNet` gives them, checks that their configuration is one this fast
 * path reproduces exactly, and records which were read so leftovers can be reported.
 */
class ModelReader {
  private readonly byName = new Map<string, Layer>();
  private readonly read = new Set<string>();

  constructor(
    model: LayersModel,
    private readonly kernelSource?: KernelSource,
  ) {
    for (const layer of model.layers) this.byName.set(layer.name, layer);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  expect(name: string, className: string): Layer {
    const layer = this.byName.get(name);
    if (!layer) throw new Error(`Layer ${name} is missing`);
    if (layer.getClassName() !== className) {
      throw new Error(`Layer ${name} is a ${layer.getClassName()}, expected ${className}`);
    }
    this.read.add(name);
    return layer;
  }

  relu(name: string): void {
    const cfg = this.expect(name, 'ReLU').getConfig();
    if (cfg.maxValue != null) throw new Error(`Layer ${name} is a capped ReLU`);
  }

  conv(name: string): ConvParams {
    const layer = this.expect(name, 'Conv2D');
    const cfg = layer.getConfig();
    const strides = cfg.strides as number[];
    const dilation = cfg.dilationRate as number | number[];
    if (
      cfg.dataFormat !== 'channelsLast' ||
      cfg.activation !== 'linear' ||
      strides[0] !== strides[1] ||
      [dilation].flat().some((d) => d !== 1)
    ) {
      throw new Error(`Layer ${name} is configured in a way the fast path does not reproduce`);
    }
    const padding = cfg.padding as 'same' | 'valid';
    let pad: Pad = padding;
    const padLayer = this.zeroPadding(`${name}_pad`);
    if (padLayer) {
      if (padding !== 'valid') throw new Error(`Layer ${name} is padded twice`);
      pad = padLayer;
    }
    const kernel = this.weight(layer, 'kernel');
    if (!kernel) throw new Error(`Layer ${name} has no kernel`);
    return {
      kernel: kernel.data,
      shape: kernel.shape as ConvParams['shape'],
      bias: this.weight(layer, 'bias')?.data ?? null,
      strides: strides[0]!,
      pad,
    };
  }

  batchNorm(name: string): BnParams {
    const layer = this.expect(name, 'BatchNormalization');
    const cfg = layer.getConfig();
    if (cfg.axis !== -1 && cfg.axis !== 3) throw new Error(`Layer ${name} does not normalize channels`);
    const mean = this.weight(layer, 'moving_mean');
    const variance = this.weight(layer, 'moving_variance');
    if (!mean || !variance) throw new Error(`Layer ${name} has no moving statistics`);
    return {
      gamma: this.weight(layer, 'gamma')?.data ?? null,
      beta: this.weight(layer, 'beta')?.data ?? null,
      mean: mean.data,
      variance: variance.data,
      // Read, not assumed: Keras' default is 1e-3, torchvision's 1e-5, and a model could use either.
      epsilon: cfg.epsilon as number,
    };
  }

  maxPool(name: string): { size: number; strides: number; pad: Pad } {
    const cfg = this.expect(name, 'MaxPooling2D').getConfig();
    const size = cfg.poolSize as number[];
    const strides = cfg.strides as number[];
    if (size[0] !== size[1] || strides[0] !== strides[1] || cfg.dataFormat !== 'channelsLast') {
      throw new Error(`Layer ${name} is configured in a way the fast path does not reproduce`);
    }
    let pad: Pad = cfg.padding as 'same' | 'valid';
    const padLayer = this.zeroPadding(`${name}_pad`);
    if (padLayer) {
      // The pool's own padding counts as -inf, the layer's as 0. They agree because the input follows a
      // ReLU (>= 0) and every window still holds a real value (padding < window), so one op does both.
      const [, [top, bottom], [left, right]] = padLayer;
      if (pad !== 'valid' || Math.max(top, bottom, left, right) >= size[0]!) {
        throw new Error(`Layer ${name}: its zero padding cannot be folded into the pool`);
      }
      pad = padLayer;
    }
    return { size: size[0]!, strides: strides[0]!, pad };
  }

  dense(name: string): { kernel: Float32Array; shape: [number, number]; bias: Float32Array | null } {
    const layer = this.expect(name, 'Dense');
    if (layer.getConfig().activation !== 'linear') throw new Error(`Layer ${name} has an activation`);
    const kernel = this.weight(layer, 'kernel');
    if (!kernel) throw new Error(`Layer ${name} has no kernel`);
    return {
      kernel: kernel.data,
      shape: kernel.shape as [number, number],
      bias: this.weight(layer, 'bias')?.data ?? null,
    };
  }

  /** Every layer but the input must have been read: anything else would be computed by the model only. */
  assertAllRead(what: string): void {
    const unread = [...this.byName.values()]
      .filter((l) => !this.read.has(l.name) && l.getClassName() !== 'InputLayer')
      .map((l) => l.name);
    if (unread.length > 0) {
      throw new Error(`Not a ${what} model: unexpected layers ${unread.slice(0, 5).join(', ')}`);
    }
  }

  private zeroPadding(name: string): tf.backend_util.ExplicitPadding | null {
    if (!this.byName.has(name)) return null;
    const cfg = this.expect(name, 'ZeroPadding2D').getConfig();
    if (cfg.dataFormat !== 'channelsLast') throw new Error(`Layer ${name} is not channels-last`);
    const [[top, bottom], [left, right]] = cfg.padding as [[number, number], [number, number]];
    return [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
  }

  /** The host copy of one weight, found by the suffix Keras gives it (`<layer>/kernel`). */
  private weight(layer: Layer, suffix: string): { data: Float32Array; shape: number[] } | null {
    const v = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
    if (!v) return null;
    if (suffix === 'kernel' && this.kernelSource) {
      // A variable's shape is fully known once the model is built.
      const shape = v.shape as number[];
      const data = this.kernelSource(layer.name, shape);
      if (data) return { data, shape };
    }
    const t = v.read();
    // A copy, so tensors made from it never alias the model's storage (CPU's dataSync hands out its own).
    // (`new Float32Array(typed)` copies with a memcpy; `Float32Array.from` would walk an iterator.)
    return { data: new Float32Array(t.dataSync()), shape: t.shape };
  }
}
