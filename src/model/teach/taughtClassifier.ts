/**
 * A taught model as a classifier like the others: its backbone's pooled features through the taught head, so the
 * engine classifies and looks inside with it through the one Classifier interface. It owns only the head's tensors;
 * the backbone is borrowed, and the engine keeps it alive while any taught model uses it (src/worker/models.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

import type { ModelSummary } from '../../shared/modelSummary';
import type { NetworkGraph, NetworkLayer } from '../../shared/network';
import type { Prediction } from '../../shared/predictions';
import type { BenchResult, ExportedModel, WeightsSource } from '../../shared/protocol';
import { concatenatedDense } from '../../shared/teach/headWeights';
import type { DenseWeights, HeadWeights } from '../../shared/teach/headWeights';
import type { WeightStats } from '../../shared/weightStats';
import type { StageBlockValues } from '../blockValues';
import type { Classifier, FcKernel, FeatureMatrix, StageActivation } from '../classifier';
import type { ActivationMap } from '../featureMaps';
import type { PreprocessSpec } from '../preprocess/spec';
import type { SplitNetwork } from '../splitNetwork';
import { IMAGENET_CLASS_NAMES, readTopK, topKOnBackend } from '../topK';
import type { ClassNames } from '../topK';

interface HeadLayer {
  weights: DenseWeights;
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

export class TaughtClassifier implements Classifier {
  readonly summary: ModelSummary;
  readonly weights: WeightsSource;
  readonly preprocess: PreprocessSpec;
  readonly notice?: string;
  /** Each logit's name: the new classes, after ImageNet's 1000 when the head keeps them. */
  readonly labels: readonly string[];
  /** The head as the dense layers it runs, ReLU between them: one layer unless it has a hidden one. */
  private readonly layers: HeadLayer[];
  private readonly names: ClassNames;
  private disposed = false;

  /**
   * Uploads the head's weights (a keep-ImageNet head as the one dense layer [features, 1000 + N] it is). `backbone`
   * stays its owner's: dispose() frees the head only.
   */
  constructor(
    readonly backbone: Classifier,
    readonly head: HeadWeights,
    readonly classNames: readonly string[],
  ) {
    if (classNames.length !== head.output.outputs)
      throw new RangeError(`${classNames.length} class names for a head of ${head.output.outputs} classes`);
    const dense =
      head.kind === 'hidden'
        ? [head.hidden, head.output]
        : head.kind === 'keepImageNet'
          ? [concatenatedDense(head.kept, head.output)]
          : [head.output];
    this.layers = dense.map((weights) => ({
      weights,
      kernel: tf.tensor2d(weights.kernel, [weights.inputs, weights.outputs]),
      bias: tf.tensor1d(weights.bias),
    }));
    const kept = head.kind === 'keepImageNet';
    this.labels = kept ? [...IMAGENET_CLASS_NAMES.labels, ...classNames] : [...classNames];
    this.names = {
      labels: this.labels,
      // A folder's name is all there is to say about a new class.
      synonyms: kept ? [...IMAGENET_CLASS_NAMES.synonyms, ...classNames] : [...classNames],
    };
    this.preprocess = backbone.preprocess;
    this.weights = backbone.weights;
    if (backbone.notice) this.notice = backbone.notice;
    this.summary = withHead(backbone.summary, dense);
  }

  /** The head's logits [n, classes] for pooled features [n, featureSize]; the caller owns the result. */
  logits(features: tf.Tensor2D): tf.Tensor2D {
    this.assertUsable();
    return tf.tidy(() => {
      let h = features;
      this.layers.forEach((layer, i) => {
        const out = tf.add(tf.matMul(h, layer.kernel), layer.bias) as tf.Tensor2D;
        h = i < this.layers.length - 1 ? tf.relu(out) : out;
      });
      return h;
    });
  }

  async classify(crops: readonly Uint8ClampedArray[], k: number): Promise<Prediction[][]> {
    this.assertUsable();
    const features = this.backbone.featureTensor(crops);
    const { values, indices } = tf.tidy(() =>
      topKOnBackend(this.logits(features), Math.min(k, this.labels.length)),
    );
    features.dispose();
    return readTopK(values, indices, this.names);
  }

  /**
   * The backbone's stages, and the head's predictions from the last stage's output pooled on the host: the same
   * features classification pools on the backend.
   */
  async inspect(
    crop: Uint8ClampedArray,
    k: number,
  ): Promise<{ stages: StageActivation[]; predictions: Prediction[] }> {
    this.assertUsable();
    const { stages } = await this.backbone.inspect(crop, 1);
    const pooled = poolPositions(stages.at(-1)!.map);
    const { values, indices } = tf.tidy(() => {
      const features = tf.tensor2d(pooled, [1, pooled.length]);
      return topKOnBackend(this.logits(features), Math.min(k, this.labels.length));
    });
    const [predictions] = await readTopK(values, indices, this.names);
    return { stages, predictions: predictions! };
  }

  features(crops: readonly Uint8ClampedArray[]): Promise<FeatureMatrix> {
    this.assertUsable();
    return this.backbone.features(crops);
  }

  featureTensor(crops: readonly Uint8ClampedArray[]): tf.Tensor2D {
    this.assertUsable();
    return this.backbone.featureTensor(crops);
  }

  /** The head's kernel when it is one dense layer: the class activation map is then exact, as for ImageNet's fc. */
  async fcKernel(): Promise<FcKernel> {
    const { kernel, inputs, outputs } = this.linearHead();
    return { kernel, features: inputs, classes: outputs };
  }

  async fcLayer(): Promise<DenseWeights> {
    return this.linearHead();
  }

  /** The backbone's graph with the taught head in place of its fc. */
  architecture(): NetworkGraph {
    this.assertUsable();
    const graph = this.backbone.architecture();
    const nodes = graph.nodes.map((node) => {
      if (node.kind !== 'head') return node;
      const dense = node.layers.find((l) => l.kind === 'dense');
      if (!dense) return node;
      const taught = this.layers.map(({ weights }, i): NetworkLayer => ({
        ...dense,
        name: i < this.layers.length - 1 ? 'taught_hidden' : 'taught_fc',
        outputShape: [weights.outputs],
        params: weights.kernel.length + weights.bias.length,
        macs: weights.kernel.length,
      }));
      const layers = [...node.layers.filter((l) => l.kind !== 'dense'), ...taught];
      return {
        ...node,
        layers,
        outputShape: [this.labels.length],
        params: layers.reduce((a, l) => a + l.params, 0),
        macs: layers.reduce((a, l) => a + l.macs, 0),
      };
    });
    return {
      ...graph,
      nodes,
      totalParams: nodes.reduce((a, n) => a + n.params, 0),
      totalMacs: nodes.reduce((a, n) => a + n.macs, 0),
    };
  }

  /** The backbone's own values: they do not depend on the head. */
  stageBlocks(input: ActivationMap, stage: number, keep: number | null): Promise<StageBlockValues> {
    this.assertUsable();
    return this.backbone.stageBlocks(input, stage, keep);
  }

  weightStats(): Promise<WeightStats> {
    this.assertUsable();
    return this.backbone.weightStats();
  }

  blockGradCam(): Promise<ActivationMap> {
    return Promise.reject(new Error(NOT_YET('Grad-CAM at a block')));
  }

  network(): SplitNetwork {
    throw new Error(NOT_YET('Explanations through the taught head'));
  }

  normalize(rgba: tf.Tensor4D): tf.Tensor4D {
    return this.backbone.normalize(rgba);
  }

  exportLayers(): Promise<ExportedModel> {
    return Promise.reject(new Error(NOT_YET('Exporting a taught model')));
  }

  benchmark(): Promise<BenchResult> {
    return Promise.reject(new Error(NOT_YET('The bench')));
  }

  /** Frees the head; the backbone is not this object's. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const layer of this.layers) tf.dispose([layer.kernel, layer.bias]);
  }

  /** Tensors this object owns (the head's). */
  get numTensors(): number {
    return this.disposed ? 0 : 2 * this.layers.length;
  }

  private linearHead(): DenseWeights {
    this.assertUsable();
    if (this.layers.length !== 1)
      throw new Error(
        'A head with a hidden layer is not linear in the features, so it has no class activation map.',
      );
    return this.layers[0]!.weights;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('This taught model has been released');
  }
}

const NOT_YET = (what: string) => `${what} is not available for a taught model yet.`;

/** An activation map's mean over its positions: [channels]. */
function poolPositions(map: ActivationMap): Float32Array {
  const { data, height, width, channels } = map;
  const sums = new Float64Array(channels);
  for (let p = 0; p < height * width; p++)
    for (let c = 0; c < channels; c++) sums[c] = sums[c]! + data[p * channels + c]!;
  return Float32Array.from(sums, (s) => s / (height * width));
}

/** The backbone's summary with the taught head's layers in place of its fc. */
function withHead(summary: ModelSummary, dense: readonly DenseWeights[]): ModelSummary {
  const params = dense.reduce((a, d) => a + d.kernel.length + d.bias.length, 0);
  const fc = summary.stages.find((s) => s.stage === 'fc')!;
  return {
    ...summary,
    stages: summary.stages.map((s) =>
      s === fc
        ? {
            ...s,
            outputShape: [dense.at(-1)!.outputs],
            params,
            trainableParams: params,
            nonTrainableParams: 0,
          }
        : s,
    ),
    totalParams: summary.totalParams - fc.params + params,
    trainableParams: summary.trainableParams - fc.trainableParams + params,
    nonTrainableParams: summary.nonTrainableParams - fc.nonTrainableParams,
  };
}
