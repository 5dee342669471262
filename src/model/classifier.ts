import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { buildResNet, DEFAULT_SEED, initializeSeeded, seededKernels } from './buildResNet';
import type { ActivationMap } from './featureMaps';
import { precompileWebGL } from './precompileWebGL';
import { rgbaToModelInput } from './preprocess/onBackend';
import { IMAGENET_TORCHVISION_PREPROCESS, KERAS_CAFFE_PREPROCESS } from './preprocess/spec';
import { RESNET50_SOURCE, summarizeResNet50 } from './resnet50';
import type { PreprocessSpec } from './preprocess/spec';
import { summarizeStages } from './stageSummary';
import type { ModelSummary } from './stageSummary';
import { readTopK, topKOnBackend } from './topK';
import type { Prediction } from './topK';
import { FastResNet } from './fastResNet';
import { INPUT_SIZE, NUM_CLASSES, VARIANTS, isBuildableVariant } from '../shared/variants';
import type { BuildFlavor, BuildableVariantId, Flavor, StageName, VariantId } from '../shared/variants';

export interface StageActivation {
  stage: StageName;
  map: ActivationMap;
}

export type ProgressCallback = (fraction: number, message: string) => void;

export interface ClassifierConfig {
  variant: BuildableVariantId;
  flavor?: BuildFlavor;
  seed?: number;
  onProgress?: ProgressCallback;
  yieldToEventLoop?: () => Promise<void>;
}

/** Where a classifier's weights came from, as the page reports it. */
export type WeightsSource =
  | { kind: 'random'; seed: number; name: string }
  | { kind: 'file' | 'url' | 'cache' | 'bundled'; name: string };

/**
 * A ResNet ImageNet classifier: owns one LayersModel and everything needed to turn normalized pixels into
 * ranked predictions. Construct with `load()`, which also warms the backend up so the first user image
 * does not pay for shader compilation.
 */
export class ResNetClassifier {
  private disposed = false;
  /** Same layers and weights, extra outputs: built on first use, never disposed (it owns no weights). */
  private stageModel: LayersModel | null = null;
  /**
   * The inference path for ResNet18/34: BatchNorm folded into the convolutions, fused conv+bias+ReLU, half the
   * kernels of the layers model (equal to it within 1e-4 on logits, see fastResNet.test.ts). The layers model
   * stays for export, the summary and the CAM's fc weights.
   */
  private fast: FastResNet | null = null;
  private fcKernelCache: Float32Array | null = null;

  /** Set while the layers model still holds zeros where its seeded kernels go (see `load`). */
  private pendingSeed: number | null;

  private constructor(
    private readonly layersModel: LayersModel,
    readonly summary: ModelSummary,
    readonly preprocess: PreprocessSpec,
    readonly weights: WeightsSource,
    /** True when the model's last layer applies softmax itself (Keras applications). */
    readonly outputIsProbabilities = false,
    seededLater: number | null = null,
  ) {
    this.pendingSeed = seededLater;
    const { variant, flavor } = summary;
    if (isBuildableVariant(variant) && flavor !== 'keras') {
      const kernels = seededLater === null ? undefined : seededKernels(layersModel, seededLater);
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

  /** Builds a variant with seeded random weights and warms it up. */
  static async load(config: ClassifierConfig): Promise<ResNetClassifier> {
    const { variant, flavor = 'reference', seed = DEFAULT_SEED, onProgress } = config;
    // Zeros first; the fast path draws the seeded kernels itself, the layers model only when asked for.
    const model = await buildResNet({
      variant,
      flavor,
      seed,
      init: 'zeros',
      yieldToEventLoop: config.yieldToEventLoop,
      onProgress: (f, msg) => onProgress?.(0.8 * f, `Building ${msg}`),
    });
    const name = `${VARIANTS[variant].label}, random init (seed ${seed})`;
    return ResNetClassifier.fromModel(model, {
      variant,
      flavor,
      weights: { kind: 'random', seed, name },
      onProgress,
      seededLater: seed,
    });
  }

  /**
   * Wraps Keras' ImageNet-trained ResNet50 (a loaded TF.js layers model; takes ownership). The model ends in a
   * softmax and wants Caffe-style input; both are recorded so the pipeline neither repeats the softmax nor
   * feeds it torchvision's normalization.
   */
  static async fromKerasResNet50(
    model: LayersModel,
    onProgress?: ProgressCallback,
  ): Promise<ResNetClassifier> {
    try {
      const summary = summarizeResNet50(model);
      const classifier = new ResNetClassifier(
        model,
        { variant: 'resnet50', flavor: 'keras', ...summary },
        KERAS_CAFFE_PREPROCESS,
        {
          kind: 'bundled',
          name: `Keras ImageNet ResNet50 (${RESNET50_SOURCE.package}@${RESNET50_SOURCE.version})`,
        },
        true,
      );
      onProgress?.(0.85, 'Warming up (compiling kernels)');
      await classifier.warmUp();
      onProgress?.(1, 'Ready');
      return classifier;
    } catch (err) {
      model.dispose();
      throw err;
    }
  }

  /**
   * Wraps a model whose weights are already in place (loaded from a file), and warms it up. Takes
   * ownership of the model: it is disposed if warming up fails.
   */
  static async fromModel(
    model: LayersModel,
    options: {
      variant: VariantId;
      flavor: Flavor;
      weights: WeightsSource;
      onProgress?: ProgressCallback;
      /** The model holds zeros where `initializeSeeded(model, seededLater)` would put its kernels. */
      seededLater?: number;
    },
  ): Promise<ResNetClassifier> {
    try {
      const classifier = new ResNetClassifier(
        model,
        summarizeStages(model, options.variant, options.flavor),
        IMAGENET_TORCHVISION_PREPROCESS,
        options.weights,
        false,
        options.seededLater ?? null,
      );
      options.onProgress?.(0.85, 'Warming up (compiling kernels)');
      await classifier.warmUp();
      options.onProgress?.(1, 'Ready');
      return classifier;
    } catch (err) {
      model.dispose();
      throw err;
    }
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
    await this.classifyCrops([new Uint8ClampedArray(size * size * 4)], 5);
  }

  /**
   * Classifies decoded crops (RGBA bytes, cropSize x cropSize each) in one batched pass. Everything after
   * the upload of the bytes runs on the backend: preprocessing, the network, softmax and top-k; only k
   * values and indices per image come back.
   */
  async classifyCrops(crops: readonly Uint8ClampedArray[], k: number): Promise<Prediction[][]> {
    this.assertUsable();
    const input = this.uploadCrops(crops);
    try {
      const { values, indices } = tf.tidy(() =>
        topKOnBackend(this.forward(rgbaToModelInput(input, this.preprocess)), k, this.outputIsProbabilities),
      );
      return await readTopK(values, indices);
    } finally {
      input.dispose();
    }
  }

  private uploadCrops(crops: readonly Uint8ClampedArray[]): tf.Tensor4D {
    const size = this.preprocess.cropSize;
    const bytesPerCrop = size * size * 4;
    for (const crop of crops) {
      if (crop.length !== bytesPerCrop) {
        throw new RangeError(`A crop has ${crop.length} bytes; ${size}x${size} RGBA needs ${bytesPerCrop}.`);
      }
    }
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
   * Classifies a batch of normalized NHWC images [n, 224, 224, 3] (ownership stays with the caller).
   * Everything up to top-k runs on the backend; only k values and indices per image are downloaded.
   */
  async classify(batch: tf.Tensor4D, k: number): Promise<Prediction[][]> {
    this.assertUsable();
    const { values, indices } = tf.tidy(() =>
      topKOnBackend(this.forward(batch), k, this.outputIsProbabilities),
    );
    return readTopK(values, indices);
  }

  /**
   * One image given as already-normalized NHWC floats (224*224*3). The app classifies bytes (`classifyCrops`);
   * this is how the tests feed the exact inputs PyTorch saw.
   */
  async classifyPixels(normalized: Float32Array, k: number): Promise<Prediction[]> {
    const input = tf.tensor4d(normalized, [1, INPUT_SIZE, INPUT_SIZE, 3]);
    try {
      const [first] = await this.classify(input, k);
      return first!;
    } finally {
      input.dispose();
    }
  }

  /**
   * One forward pass that yields every stage's output and the predictions. Activations come back as plain
   * arrays (a few MB), so no GPU memory is held for an image after this returns.
   */
  async inspect(
    crop: Uint8ClampedArray,
    k: number,
  ): Promise<{ stages: StageActivation[]; predictions: Prediction[] }> {
    this.assertUsable();
    const stages = this.summary.stages.filter((s) => s.stage !== 'fc');
    if (!this.fast && !this.stageModel) {
      this.stageModel = tfl.model({
        inputs: this.model.inputs,
        outputs: [
          ...stages.map((s) => this.model.getLayer(s.outputLayer).output as tfl.SymbolicTensor),
          this.model.outputs[0]!,
        ],
      });
    }
    const { fast, stageModel } = this;
    const rgba = this.uploadCrops([crop]);
    const outputs = tf.tidy((): tf.Tensor[] => {
      const x = rgbaToModelInput(rgba, this.preprocess);
      if (fast) {
        const out = fast.predictWithStages(x);
        return [...out.stages, out.logits];
      }
      return stageModel!.predict(x) as tf.Tensor[];
    });
    rgba.dispose();
    try {
      const logits = outputs.at(-1) as tf.Tensor2D;
      const { values, indices } = topKOnBackend(logits, k, this.outputIsProbabilities);
      const [predictions, ...data] = await Promise.all([
        readTopK(values, indices),
        ...outputs.slice(0, -1).map((t) => t.data() as Promise<Float32Array>),
      ]);
      return {
        predictions: predictions![0]!,
        stages: stages.map((s, i) => {
          const [height, width, channels] = s.outputShape as [number, number, number];
          return { stage: s.stage, map: { data: data[i]!, height, width, channels } };
        }),
      };
    } finally {
      outputs.forEach((t) => t.dispose());
    }
  }

  /** The classifier head's kernel [features, classes], for class activation maps. */
  async fcKernel(): Promise<{ kernel: Float32Array; features: number; classes: number }> {
    this.assertUsable();
    if (this.fast) {
      const { data, shape } = this.fcKernelCache
        ? { data: this.fcKernelCache, shape: [this.fcKernelCache.length / NUM_CLASSES, NUM_CLASSES] }
        : await this.fast.fcKernelData();
      this.fcKernelCache = data;
      return { kernel: data, features: shape[0]!, classes: shape[1]! };
    }
    const fc = this.model.getLayer(this.summary.stages.find((s) => s.stage === 'fc')!.outputLayer);
    const kernel = fc.getWeights()[0]!;
    const [features, classes] = kernel.shape as [number, number];
    this.fcKernelCache ??= (await kernel.data()) as Float32Array;
    return { kernel: this.fcKernelCache, features, classes };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stageModel = null;
    this.fcKernelCache = null;
    this.fast?.dispose();
    this.fast = null;
    this.layersModel.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('This classifier has been disposed');
  }
}
