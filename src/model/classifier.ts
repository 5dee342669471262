import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { buildResNet, DEFAULT_SEED } from './buildResNet';
import { IMAGENET_TORCHVISION_PREPROCESS } from './preprocessSpec';
import type { PreprocessSpec } from './preprocessSpec';
import { summarizeStages } from './stageSummary';
import type { ModelSummary } from './stageSummary';
import { readTopK, topKOnBackend } from './topK';
import type { Prediction } from './topK';
import { INPUT_SIZE, VARIANTS } from './variants';
import type { Flavor, VariantId } from './variants';

export type ProgressCallback = (fraction: number, message: string) => void;

export interface ClassifierConfig {
  variant: VariantId;
  flavor?: Flavor;
  seed?: number;
  onProgress?: ProgressCallback;
  yieldToEventLoop?: () => Promise<void>;
}

/** Where a classifier's weights came from, as the page reports it. */
export type WeightsSource =
  { kind: 'random'; seed: number; name: string } | { kind: 'file' | 'url' | 'cache'; name: string };

/**
 * A ResNet ImageNet classifier: owns one LayersModel and everything needed to turn normalized pixels into
 * ranked predictions. Construct with `load()`, which also warms the backend up so the first user image
 * does not pay for shader compilation.
 */
export class ResNetClassifier {
  private disposed = false;

  private constructor(
    readonly model: LayersModel,
    readonly summary: ModelSummary,
    readonly preprocess: PreprocessSpec,
    readonly weights: WeightsSource,
  ) {}

  /** Builds a variant with seeded random weights and warms it up. */
  static async load(config: ClassifierConfig): Promise<ResNetClassifier> {
    const { variant, flavor = 'reference', seed = DEFAULT_SEED, onProgress } = config;
    const model = await buildResNet({
      variant,
      flavor,
      seed,
      yieldToEventLoop: config.yieldToEventLoop,
      onProgress: (f, msg) => onProgress?.(0.8 * f, `Building ${msg}`),
    });
    const name = `${VARIANTS[variant].label}, random init (seed ${seed})`;
    return ResNetClassifier.fromModel(model, {
      variant,
      flavor,
      weights: { kind: 'random', seed, name },
      onProgress,
    });
  }

  /**
   * Wraps a model whose weights are already in place (loaded from a file), and warms it up. Takes
   * ownership of the model: it is disposed if warming up fails.
   */
  static async fromModel(
    model: LayersModel,
    options: { variant: VariantId; flavor: Flavor; weights: WeightsSource; onProgress?: ProgressCallback },
  ): Promise<ResNetClassifier> {
    try {
      const classifier = new ResNetClassifier(
        model,
        summarizeStages(model, options.variant, options.flavor),
        IMAGENET_TORCHVISION_PREPROCESS,
        options.weights,
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

  /** One throw-away prediction: compiles WebGL programs and allocates textures before real work. */
  async warmUp(): Promise<void> {
    const logits = tf.tidy(() => this.model.predict(tf.zeros([1, INPUT_SIZE, INPUT_SIZE, 3])) as tf.Tensor);
    await logits.data();
    logits.dispose();
  }

  /**
   * Classifies a batch of normalized NHWC images [n, 224, 224, 3] (ownership stays with the caller).
   * Everything up to top-k runs on the backend; only k values and indices per image are downloaded.
   */
  async classify(batch: tf.Tensor4D, k: number): Promise<Prediction[][]> {
    this.assertUsable();
    const { values, indices } = tf.tidy(() => topKOnBackend(this.model.predict(batch) as tf.Tensor2D, k));
    return readTopK(values, indices);
  }

  /** Convenience for one image given as normalized NHWC floats (224*224*3). */
  async classifyPixels(normalized: Float32Array, k: number): Promise<Prediction[]> {
    const input = tf.tensor4d(normalized, [1, INPUT_SIZE, INPUT_SIZE, 3]);
    try {
      const [first] = await this.classify(input, k);
      return first!;
    } finally {
      input.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('This classifier has been disposed');
  }
}
