/**
 * A ResNet ImageNet classifier behind a narrow interface: RGBA crops in, ranked predictions out, plus one
 * multi-output pass for Look inside. Get one from `loadClassifier` (loadClassifier.ts), which also warms it up.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { ModelSummary } from '../shared/modelSummary';
import type { NetworkGraph } from '../shared/network';
import { stagesOf } from '../shared/network';
import type { WeightStats } from '../shared/weightStats';
import type { Prediction } from '../shared/predictions';
import type { DenseWeights } from '../shared/teach/headWeights';
import type { BenchOptions, BenchResult, ExportedModel, WeightsSource } from '../shared/protocol';
import { NUM_CLASSES, isBuildableVariant } from '../shared/variants';
import type { Flavor, StageName, VariantId } from '../shared/variants';
import { benchmarkClassifier } from './benchmark';
import {
  blockOutputsOf,
  blockPartNames,
  blockRmsOf,
  layerGraphBlockGradCam,
  layerGraphParts,
  partsRms,
  readStageBlocks,
} from './blockValues';
import type { BlockRms, StageBlockValues } from './blockValues';
import { initializeSeeded, seededKernels } from './buildResNet';
import type { ActivationMap } from './featureMaps';
import { FastResNet } from './fastResNet';
import { describeNetwork } from './networkGraph';
import { precompileWebGL } from './precompileWebGL';
import { readWeightStats } from './readWeightStats';
import { rgbaToModelInput } from './preprocess/onBackend';
import { rgbaToModelInputOnHost } from './preprocess/onHost';
import type { PreprocessSpec } from './preprocess/spec';
import { FastSplitNetwork, LayerGraphNetwork } from './splitNetwork';
import type { ExplainableStage, SplitNetwork, StageOutput } from './splitNetwork';
import { readTopK, topKOnBackend } from './topK';
import { exportLayersModel } from './weights/tfjsFormat';

/** The phases of one classification, in order: the network's input made, the network run, top-k taken, read. */
export type ClassifyPhase = 'input' | 'forward' | 'topK' | 'read';

/** Backends that run on this CPU, where the input is made in JS (preprocess/onHost.ts). */
const HOST_PREPROCESSING_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'cpu']);

function checkCropSizes(crops: readonly Uint8ClampedArray[], size: number): void {
  const bytesPerCrop = size * size * 4;
  for (const crop of crops) {
    if (crop.length !== bytesPerCrop) {
      throw new RangeError(`A crop has ${crop.length} bytes; ${size}x${size} RGBA needs ${bytesPerCrop}.`);
    }
  }
}

/** Told as each phase of a classification ends (see `ResNetClassifier.classify`). */
export interface PhaseMarks {
  mark(phase: ClassifyPhase): void;
}

export interface StageActivation {
  stage: StageName;
  map: ActivationMap;
}

/** What `inspect` gives: every stage's output and the predictions, and with `blocks` every block's. */
export interface Inspected {
  stages: StageActivation[];
  predictions: Prediction[];
  /**
   * Asked for only: per residual stage (0 = the first), every block's output and true values (as `stageBlocks`
   * gives them), input side first; a stage's last output is its stage output (the same map).
   */
  blocks?: InspectedBlock[][];
}

export interface InspectedBlock {
  output: ActivationMap;
  values: BlockRms;
}

/** The classifier head's kernel [features, classes], for class activation maps. */
export interface FcKernel {
  kernel: Float32Array;
  features: number;
  classes: number;
}

/** Pooled features of a batch: [count, featureSize] row-major, one row per crop in the order given. */
export interface FeatureMatrix {
  features: Float32Array;
  count: number;
  featureSize: number;
}

/** What the engine (and anything else) may do with a loaded model. */
export interface Classifier {
  readonly summary: ModelSummary;
  readonly weights: WeightsSource;
  /** What the user should know about how the model was loaded (a damaged stored copy replaced, ...). */
  readonly notice?: string;
  /** How this model's input must be framed and normalized. */
  readonly preprocess: PreprocessSpec;
  /** Decoded crops (RGBA bytes, cropSize x cropSize each) to the top k of each, in one batched pass. */
  classify(crops: readonly Uint8ClampedArray[], k: number): Promise<Prediction[][]>;
  /** One pass yielding every stage's output (as plain arrays) and the predictions; with `blocks`, every block's. */
  inspect(crop: Uint8ClampedArray, k: number, options?: { blocks?: boolean }): Promise<Inspected>;
  /**
   * The last stage's output averaged over its positions (what the classifier head reads: 512 floats for
   * ResNet18/34, 2,048 for ResNet50), for crops as `classify` takes them, in one pass without the head.
   */
  features(crops: readonly Uint8ClampedArray[]): Promise<FeatureMatrix>;
  /** The same features as a tensor [n, featureSize] on the backend, which the caller owns. */
  featureTensor(crops: readonly Uint8ClampedArray[]): tf.Tensor2D;
  fcKernel(): Promise<FcKernel>;
  /** The classifier head whole, kernel [features, classes] and bias: what a keep-ImageNet head keeps. */
  fcLayer(): Promise<DenseWeights>;
  /** The model's stem, blocks and head with their layers, parameters and MACs, read off the model (once). */
  architecture(): NetworkGraph;
  /**
   * Residual stage `stage` (0 = the first) run from `input`, the output of the stage before it, up to block `keep`
   * (every block when null; the blocks after it are not run): each block's true residual, shortcut and output RMS
   * (nothing folded), and block `keep`'s output as a map.
   */
  stageBlocks(input: ActivationMap, stage: number, keep: number | null): Promise<StageBlockValues>;
  /** The stem's filters (RGB order) and a histogram of each layer's weights. */
  weightStats(): Promise<WeightStats>;
  /** Grad-CAM at block `block` of residual stage `stage` for `classIndex`, run from `input` as `stageBlocks` is. */
  blockGradCam(
    input: ActivationMap,
    stage: number,
    block: number,
    classIndex: number,
  ): Promise<ActivationMap>;
  /** The network cut at its stages, for explanations (owned by the classifier: do not dispose it). */
  network(): SplitNetwork;
  /** Decoded RGBA bytes [n, size, size, 4] (int32) to the normalized input the network takes. */
  normalize(rgba: tf.Tensor4D): tf.Tensor4D;
  /** The model in TF.js layers format (ResNet18/34 only). */
  exportLayers(): Promise<ExportedModel>;
  /** Timing loops next to the model, for `npm run bench`. */
  benchmark(options: BenchOptions): Promise<BenchResult>;
  dispose(): void;
}

export interface ClassifierParts {
  summary: ModelSummary;
  preprocess: PreprocessSpec;
  weights: WeightsSource;
  /** True when the model's last layer applies softmax itself (Keras applications). */
  outputIsProbabilities?: boolean;
  /** The model holds zeros where `initializeSeeded(model, seededLater)` would put its kernels. */
  seededLater?: number;
  notice?: string;
}

/**
 * The classifier over one LayersModel (ResNet18/34 also through FastResNet). Made only by `loadClassifier`; the
 * tests and the bench also use its tensor-level entry points (`classifyTensor`, `logits`, `model`).
 */
export class ResNetClassifier implements Classifier {
  private disposed = false;
  /** Same layers and weights, extra outputs: built on first use, never disposed (it owns no weights). */
  private stageModel: LayersModel | null = null;
  /** The stage model with every block's parts as outputs too: what a Look inside pass runs on a layers model. */
  private blockModel: LayersModel | null = null;
  /** Same layers and weights up to the head's input: built on first use, never disposed (it owns no weights). */
  private featureModel: LayersModel | null = null;
  /**
   * The inference path for ResNet18/34: BatchNorm folded into the convolutions, fused conv+bias+ReLU, half the
   * kernels of the layers model (equal to it within 1e-4 on logits, see fastResNet.test.ts). The layers model
   * stays for export, the summary and the CAM's fc weights.
   */
  private fast: FastResNet | null = null;
  private fcKernelCache: Float32Array | null = null;
  private splitNetwork: SplitNetwork | null = null;
  private graph: NetworkGraph | null = null;
  /** Set while the layers model still holds zeros where its seeded kernels go. */
  private pendingSeed: number | null;
  readonly summary: ModelSummary;
  readonly preprocess: PreprocessSpec;
  readonly weights: WeightsSource;
  readonly outputIsProbabilities: boolean;
  readonly notice?: string;

  /**
   * Takes ownership of `layersModel` (disposed with the classifier). Call `warmUp` before the first real image;
   * `loadClassifier` does.
   */
  constructor(
    private readonly layersModel: LayersModel,
    parts: ClassifierParts,
  ) {
    this.summary = parts.summary;
    this.preprocess = parts.preprocess;
    this.weights = parts.weights;
    this.outputIsProbabilities = parts.outputIsProbabilities ?? false;
    this.pendingSeed = parts.seededLater ?? null;
    if (parts.notice) this.notice = parts.notice;
    const { variant, flavor } = parts.summary;
    if (isBuildableVariant(variant) && flavor !== 'keras') {
      const kernels = this.pendingSeed === null ? undefined : seededKernels(layersModel, this.pendingSeed);
      this.fast = FastResNet.fromLayersModel(layersModel, variant, flavor, kernels);
    }
  }

  /**
   * The TF.js layers model (for export, the naive benchmark path and ResNet50's inference). A seeded build
   * gets its kernels here on first use: classification never needs them in the layers model, so a page's
   * start does not pay for setting 11M weights twice.
   */
  get model(): LayersModel {
    if (this.pendingSeed !== null) {
      initializeSeeded(this.layersModel, this.pendingSeed);
      this.pendingSeed = null;
    }
    return this.layersModel;
  }

  /** The logits (or probabilities) the app classifies with, for a batch of normalized images. */
  logits(x: tf.Tensor4D): tf.Tensor2D {
    this.assertUsable();
    return this.forward(x);
  }

  /** The forward pass to logits (or probabilities), on the fast path where there is one. */
  private forward(x: tf.Tensor4D): tf.Tensor2D {
    return this.fast ? this.fast.predict(x) : (this.model.predict(x) as tf.Tensor2D);
  }

  get variant(): VariantId {
    return this.summary.variant;
  }

  get flavor(): Flavor {
    return this.summary.flavor;
  }

  /**
   * One throw-away classification through exactly the path a user's image takes (bytes in, top-k out):
   * compiles every WebGL program, creates every XNNPACK operator and allocates buffers before real work,
   * so the first image does not pay for them.
   */
  async warmUp(): Promise<void> {
    const size = this.preprocess.cropSize;
    await precompileWebGL(
      () =>
        topKOnBackend(
          this.forward(rgbaToModelInput(tf.zeros([1, size, size, 4], 'int32'), this.preprocess)),
          5,
          this.outputIsProbabilities,
        ).values,
    );
    await this.classify([new Uint8ClampedArray(size * size * 4)], 5);
  }

  /**
   * `phases`, if given, is told when each phase ends (the bench's breakdown of one call; on WASM and CPU, ops
   * run as they are called, so the marks time the work; on WebGL they time only the enqueueing).
   */
  async classify(
    crops: readonly Uint8ClampedArray[],
    k: number,
    phases?: PhaseMarks,
  ): Promise<Prediction[][]> {
    this.assertUsable();
    // From the network's input on, everything runs on the backend: the network, softmax and top-k; only k
    // values and indices per image come back.
    const x = this.modelInput(crops);
    phases?.mark('input');
    try {
      const { values, indices } = tf.tidy(() => {
        const out = this.forward(x);
        phases?.mark('forward');
        return topKOnBackend(out, k, this.outputIsProbabilities);
      });
      phases?.mark('topK');
      const predictions = await readTopK(values, indices);
      phases?.mark('read');
      return predictions;
    } finally {
      x.dispose();
    }
  }

  /**
   * The network's input [n, size, size, 3] for RGBA crops: made in one pass of JS where the backend runs on this
   * CPU (onHost.ts), else from one upload of the bytes by a few kernels on the GPU (onBackend.ts). The same values
   * either way.
   */
  private modelInput(crops: readonly Uint8ClampedArray[]): tf.Tensor4D {
    const size = this.preprocess.cropSize;
    if (HOST_PREPROCESSING_BACKENDS.has(tf.getBackend())) {
      checkCropSizes(crops, size);
      const values = rgbaToModelInputOnHost(crops, size, size, this.preprocess);
      return tf.tensor4d(values, [crops.length, size, size, 3]);
    }
    const rgba = this.uploadCrops(crops);
    try {
      return rgbaToModelInput(rgba, this.preprocess);
    } finally {
      rgba.dispose();
    }
  }

  private uploadCrops(crops: readonly Uint8ClampedArray[]): tf.Tensor4D {
    const size = this.preprocess.cropSize;
    const bytesPerCrop = size * size * 4;
    checkCropSizes(crops, size);
    let bytes: Uint8Array;
    if (crops.length === 1) {
      // A view, not a copy: TF.js takes plain Uint8Array (ImageData hands out the clamped kind).
      const crop = crops[0]!;
      bytes = new Uint8Array(crop.buffer, crop.byteOffset, crop.length);
    } else {
      bytes = new Uint8Array(bytesPerCrop * crops.length);
      crops.forEach((crop, i) => bytes.set(crop, i * bytesPerCrop));
    }
    return tf.tensor4d(bytes, [crops.length, size, size, 4], 'int32');
  }

  /**
   * A batch of already-normalized NHWC images [n, 224, 224, 3] (ownership stays with the caller): how the tests
   * feed the exact inputs PyTorch saw, and what the bench times.
   */
  async classifyTensor(batch: tf.Tensor4D, k: number): Promise<Prediction[][]> {
    this.assertUsable();
    const { values, indices } = tf.tidy(() =>
      topKOnBackend(this.forward(batch), k, this.outputIsProbabilities),
    );
    return readTopK(values, indices);
  }

  /**
   * One forward pass that yields every stage's output and the predictions, and with `blocks` every block's output
   * and values (its parts' root mean squares, reduced on the backend and read in one download). Activations come
   * back as plain arrays (a few MB; every block's output adds about 1.5 MB for ResNet18, 16 MB for ResNet50), so no
   * GPU memory is held for an image after this returns.
   */
  async inspect(crop: Uint8ClampedArray, k: number, { blocks = false } = {}): Promise<Inspected> {
    this.assertUsable();
    const stages = this.summary.stages.filter((s) => s.stage !== 'fc');
    const outputOf = (name: string) => this.model.getLayer(name).output as tfl.SymbolicTensor;
    const stageNames = stages.map((s) => s.outputLayer);
    if (!this.fast && !this.stageModel) {
      this.stageModel = tfl.model({
        inputs: this.model.inputs,
        outputs: [...stageNames.map(outputOf), this.model.outputs[0]!],
      });
    }
    // The layers each block's parts are read at (the layers model only; the fast path hands its parts over).
    const partNames = this.fast || !blocks ? [] : this.blockPartNames();
    const extra = [...new Set(partNames.flat().flatMap((n) => [n.residual, n.shortcut, n.output]))].filter(
      (n) => !stageNames.includes(n),
    );
    if (!this.fast && blocks && !this.blockModel) {
      this.blockModel = tfl.model({
        inputs: this.model.inputs,
        outputs: [...stageNames.map(outputOf), this.model.outputs[0]!, ...extra.map(outputOf)],
      });
    }
    const { fast, stageModel, blockModel } = this;
    const x = this.modelInput([crop]);
    const { outputs, parts } = tf.tidy(() => {
      if (fast) {
        const out = fast.predictWithStages(x, blocks);
        return { outputs: [...out.stages, out.logits] as tf.Tensor[], parts: out.blocks ?? [] };
      }
      if (!blocks) return { outputs: stageModel!.predict(x) as tf.Tensor[], parts: [] };
      const all = blockModel!.predict(x) as tf.Tensor[];
      const byName = new Map([...stageNames, '', ...extra].map((n, i) => [n, all[i]! as tf.Tensor4D]));
      return {
        outputs: all.slice(0, stages.length + 1),
        parts: partNames.map((names) =>
          names.map((n) => ({
            residual: byName.get(n.residual)!,
            shortcut: byName.get(n.shortcut)!,
            output: byName.get(n.output)!,
          })),
        ),
      };
    });
    x.dispose();
    const owned = [...outputs, ...parts.flat().flatMap((p) => [p.residual, p.shortcut, p.output])];
    try {
      const logits = outputs.at(-1) as tf.Tensor2D;
      const { values, indices } = topKOnBackend(logits, k, this.outputIsProbabilities);
      const rms = blocks ? partsRms(parts.flat()) : null;
      if (rms) owned.push(rms);
      // Each stage's last block output is the stage's own: read once.
      const read = [...outputs.slice(0, -1), ...parts.flatMap((p) => p.slice(0, -1).map((b) => b.output))];
      const [predictions, rmsData, ...data] = await Promise.all([
        readTopK(values, indices),
        rms ? rms.data() : Promise.resolve(null),
        ...read.map((t) => t.data() as Promise<Float32Array>),
      ]);
      const mapOf = (i: number): ActivationMap => {
        const [, height, width, channels] = read[i]!.shape as [number, number, number, number];
        return { data: data[i]!, height, width, channels };
      };
      const stageMaps = stages.map((s, i) => ({ stage: s.stage, map: mapOf(i) }));
      const rmsValues = rmsData ? blockRmsOf(rmsData) : [];
      let nextMap = stages.length;
      let nextValues = 0;
      return {
        predictions: predictions![0]!,
        stages: stageMaps,
        ...(blocks
          ? {
              blocks: parts.map((stageParts, s) =>
                stageParts.map((_, i) => ({
                  output: i < stageParts.length - 1 ? mapOf(nextMap++) : stageMaps[s + 1]!.map,
                  values: rmsValues[nextValues++]!,
                })),
              ),
            }
          : {}),
      };
    } finally {
      // A tensor listed twice (a stage's last block output) is freed once; a second dispose does nothing.
      owned.forEach((t) => t.dispose());
    }
  }

  /** Every residual stage's block part layer names (see blockPartNames), by residual stage. */
  private blockPartNames() {
    const graph = this.architecture();
    const count = stagesOf(graph).filter((s) => s.nodes[0]!.kind === 'block').length;
    return Array.from({ length: count }, (_, stage) => blockPartNames(graph, stage));
  }

  async features(crops: readonly Uint8ClampedArray[]): Promise<FeatureMatrix> {
    const pooled = this.featureTensor(crops);
    try {
      const [count, featureSize] = pooled.shape;
      return { features: (await pooled.data()) as Float32Array, count, featureSize };
    } finally {
      pooled.dispose();
    }
  }

  featureTensor(crops: readonly Uint8ClampedArray[]): tf.Tensor2D {
    this.assertUsable();
    const x = this.modelInput(crops);
    try {
      if (this.fast) return this.fast.pooledFeatures(x);
      // The head's input is the pooled output (Keras' avg_pool for ResNet50): a model ending there runs the same
      // layers as classification, one pass, and leaves the head (with its softmax) out.
      this.featureModel ??= tfl.model({
        inputs: this.model.inputs,
        outputs: this.fcDense().input as tfl.SymbolicTensor,
      });
      return this.featureModel.predict(x) as tf.Tensor2D;
    } finally {
      x.dispose();
    }
  }

  async fcLayer(): Promise<DenseWeights> {
    this.assertUsable();
    const { kernel, features, classes } = await this.fcKernel();
    let bias: Float32Array;
    if (this.fast) {
      bias = await this.fast.fcBiasData();
    } else {
      const weights = this.fcDense().getWeights();
      bias = weights[1] ? ((await weights[1].data()) as Float32Array) : new Float32Array(classes);
    }
    return { inputs: features, outputs: classes, kernel, bias };
  }

  private fcDense(): ReturnType<LayersModel['getLayer']> {
    return this.model.getLayer(this.summary.stages.find((s) => s.stage === 'fc')!.outputLayer);
  }

  async fcKernel(): Promise<FcKernel> {
    this.assertUsable();
    if (this.fast) {
      const { data, shape } = this.fcKernelCache
        ? { data: this.fcKernelCache, shape: [this.fcKernelCache.length / NUM_CLASSES, NUM_CLASSES] }
        : await this.fast.fcKernelData();
      this.fcKernelCache = data;
      return { kernel: data, features: shape[0]!, classes: shape[1]! };
    }
    const kernel = this.fcDense().getWeights()[0]!;
    const [features, classes] = kernel.shape as [number, number];
    this.fcKernelCache ??= (await kernel.data()) as Float32Array;
    return { kernel: this.fcKernelCache, features, classes };
  }

  architecture(): NetworkGraph {
    this.assertUsable();
    // Shapes and counts only: the layers model's structure, never its (possibly not yet seeded) weights.
    this.graph ??= describeNetwork(this.layersModel, this.summary.variant, this.summary.flavor);
    return this.graph;
  }

  async stageBlocks(input: ActivationMap, stage: number, keep: number | null): Promise<StageBlockValues> {
    this.assertUsable();
    const network = this.fast ? null : this.network();
    if (network && !(network instanceof LayerGraphNetwork))
      throw new Error('No layer graph to run blocks on');
    const x = tf.tensor4d(input.data, [1, input.height, input.width, input.channels]);
    try {
      const parts = this.fast
        ? this.fast.stageParts(x, stage, keep)
        : layerGraphParts(network as LayerGraphNetwork, this.architecture(), stage, x, keep);
      return await readStageBlocks(parts, keep);
    } finally {
      x.dispose();
    }
  }

  async blockGradCam(
    input: ActivationMap,
    stage: number,
    block: number,
    classIndex: number,
  ): Promise<ActivationMap> {
    this.assertUsable();
    const network = this.fast ? null : this.network();
    if (network && !(network instanceof LayerGraphNetwork))
      throw new Error('No layer graph to run blocks on');
    const x = tf.tensor4d(input.data, [1, input.height, input.width, input.channels]);
    try {
      const cam = this.fast
        ? this.fast.blockGradCam(x, stage, block, classIndex)
        : layerGraphBlockGradCam(
            network as LayerGraphNetwork,
            this.architecture(),
            stage,
            block,
            x,
            classIndex,
          );
      const [, height, width] = cam.shape;
      const data = (await cam.data()) as Float32Array;
      cam.dispose();
      return { data, height, width, channels: 1 };
    } finally {
      x.dispose();
    }
  }

  weightStats(): Promise<WeightStats> {
    this.assertUsable();
    // The layers model (a seeded build gets its kernels now): what the user loaded, before any folding.
    return readWeightStats(this.model, this.preprocess.mode === 'caffe');
  }

  network(): SplitNetwork {
    this.assertUsable();
    if (!this.splitNetwork) {
      const stages = this.summary.stages
        .filter((s) => s.stage !== 'fc')
        .map((s): StageOutput => ({
          stage: s.stage as ExplainableStage,
          outputShape: s.outputShape as [number, number, number],
          outputLayer: s.outputLayer,
        }));
      const blocks = blockOutputsOf(this.architecture());
      this.splitNetwork = this.fast
        ? new FastSplitNetwork(this.fast, stages, blocks)
        : new LayerGraphNetwork(this.model, stages, blocks);
    }
    return this.splitNetwork;
  }

  normalize(rgba: tf.Tensor4D): tf.Tensor4D {
    return rgbaToModelInput(rgba, this.preprocess);
  }

  async exportLayers(): Promise<ExportedModel> {
    const { variant, flavor } = this.summary;
    if (!isBuildableVariant(variant) || flavor === 'keras') {
      throw new Error(`${variant} is served as a TF.js model already; only ResNet18/34 are exported.`);
    }
    return exportLayersModel(this.model, { variant, flavor, weightsName: this.weights.name });
  }

  benchmark(options: BenchOptions): Promise<BenchResult> {
    this.assertUsable();
    return benchmarkClassifier(this, options);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stageModel = null;
    this.blockModel = null;
    this.featureModel = null;
    this.graph = null;
    this.fcKernelCache = null;
    this.splitNetwork?.dispose();
    this.splitNetwork = null;
    this.fast?.dispose();
    this.fast = null;
    this.layersModel.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('This classifier has been disposed');
  }
}
