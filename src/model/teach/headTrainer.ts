/**
 * A taught head in TF.js: its weights as variables over a labeled feature matrix held on the backend, one Adam step
 * at a time on a given mini-batch. trainHead.ts runs the epochs; the PyTorch proof drives the steps directly.
 */
import * as tf from '@tensorflow/tfjs-core';
// Training needs the gradients of the ops it uses; tfjs-layers registers them too, but the head must not depend on
// the layers package having been loaded first.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

import { checkDense, headFeatures, headOutputs, newClassOffset } from '../../shared/teach/headWeights';
import type { DenseWeights, HeadWeights } from '../../shared/teach/headWeights';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * Keras's defaults. 1e-3 moves a head on ResNet features steadily without overshooting; epsilon 1e-7 rather than
 * PyTorch's 1e-8 because it is the float32 epsilon TF.js itself picks, and it is passed to both sides in the proof.
 */
export const DEFAULT_ADAM: AdamSettings = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** The images of a labeled set as the backbone saw them: one feature vector and one new-class index each. */
export interface LabeledFeatures {
  /** [count, featureSize], row-major. */
  features: Float32Array;
  count: number;
  featureSize: number;
  /** Each item's class among the new ones, 0..N-1 (not counting the kept ImageNet classes). */
  labels: ArrayLike<number>;
}

export interface HeadEvaluation {
  /** Mean cross-entropy over the items. */
  loss: number;
  /** Share of items whose top logit is their class. */
  accuracy: number;
  /** Per item, in the order asked: its top new class, or -1 when a kept (ImageNet) class scored highest. */
  predicted: Int32Array;
}

/** Items per forward pass when evaluating: a pass's intermediates stay small for 5,000 images of 2,048 features. */
const EVALUATION_CHUNK = 512;

export class HeadTrainer {
  private readonly features: tf.Tensor2D;
  private readonly labels: tf.Tensor1D;
  /** The labels on the host too, for accuracy. */
  private readonly hostLabels: Int32Array;
  private readonly trainable: tf.Variable[];
  /** Tensors the head reads but never trains: the kept fc of a keep-ImageNet head. */
  private readonly frozen: tf.Tensor[];
  private readonly optimizer: tf.AdamOptimizer;
  private readonly logits: (x: tf.Tensor2D) => tf.Tensor2D;
  private disposed = false;

  /**
   * Uploads the features and copies the initial weights to the backend (weights() returns a keep-ImageNet head's
   * kept fc as given, the same object). Call dispose() when done.
   */
  constructor(
    data: LabeledFeatures,
    private readonly initial: HeadWeights,
    adam: AdamSettings = DEFAULT_ADAM,
  ) {
    if (data.features.length !== data.count * data.featureSize || data.labels.length !== data.count)
      throw new RangeError(
        `${data.count} items of ${data.featureSize} features do not match the arrays given`,
      );
    if (headFeatures(initial) !== data.featureSize)
      throw new RangeError(
        `the head takes ${headFeatures(initial)} features, the data has ${data.featureSize}`,
      );
    // Every check before the first tensor is made, so that a refusal leaves nothing behind.
    checkDense(initial.output, 'the output layer');
    if (initial.kind === 'hidden') checkDense(initial.hidden, 'the hidden layer');
    if (initial.kind === 'keepImageNet') checkDense(initial.kept, 'the kept fc');
    const before =
      initial.kind === 'dense' ? undefined : initial.kind === 'hidden' ? initial.hidden : initial.kept;
    const expectedInputs = initial.kind === 'hidden' ? initial.hidden.outputs : headFeatures(initial);
    if (initial.output.inputs !== expectedInputs || (before && before.inputs !== data.featureSize))
      throw new RangeError(`the head's layers do not fit together (${initial.kind})`);
    const classes = initial.output.outputs;
    for (let i = 0; i < data.count; i++) {
      const label = data.labels[i]!;
      if (!(Number.isInteger(label) && label >= 0 && label < classes))
        throw new RangeError(`item ${i}'s class ${label} is not one of the head's ${classes}`);
    }
    const variable = (layer: DenseWeights) => {
      // In a tidy: a variable shares the data of the tensor it was made from, which would otherwise stay counted.
      return [
        tf.tidy(() => tf.variable(tf.tensor2d(layer.kernel, [layer.inputs, layer.outputs]), true)),
        tf.tidy(() => tf.variable(tf.tensor1d(layer.bias), true)),
      ] as const;
    };
    const dense = (x: tf.Tensor2D, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor2D =>
      tf.add(tf.matMul(x, kernel), bias);

    this.features = tf.tensor2d(data.features, [data.count, data.featureSize]);
    this.hostLabels = Int32Array.from(data.labels);
    this.labels = tf.tensor1d(this.hostLabels, 'int32');
    const [kernel, bias] = variable(initial.output);
    switch (initial.kind) {
      case 'dense':
        this.trainable = [kernel, bias];
        this.frozen = [];
        this.logits = (x) => dense(x, kernel, bias);
        break;
      case 'hidden': {
        const [hiddenKernel, hiddenBias] = variable(initial.hidden);
        this.trainable = [hiddenKernel, hiddenBias, kernel, bias];
        this.frozen = [];
        this.logits = (x) => dense(tf.relu(dense(x, hiddenKernel, hiddenBias)), kernel, bias);
        break;
      }
      case 'keepImageNet': {
        // Plain tensors, not variables: minimize() only differentiates by the variables it is given.
        const keptKernel = tf.tensor2d(initial.kept.kernel, [initial.kept.inputs, initial.kept.outputs]);
        const keptBias = tf.tensor1d(initial.kept.bias);
        this.trainable = [kernel, bias];
        this.frozen = [keptKernel, keptBias];
        this.logits = (x) => tf.concat([dense(x, keptKernel, keptBias), dense(x, kernel, bias)], 1);
        break;
      }
    }
    this.optimizer = tf.train.adam(adam.learningRate, adam.beta1, adam.beta2, adam.epsilon);
  }

  /**
   * One Adam step on the items `batch` (indices into the data). Returns the batch's mean loss before the step, the
   * loss PyTorch's `loss.backward()` would see.
   */
  async step(batch: readonly number[]): Promise<number> {
    this.assertUsable();
    if (batch.length === 0) throw new RangeError('an empty batch');
    const indices = tf.tensor1d(Int32Array.from(batch), 'int32');
    try {
      const cost = this.optimizer.minimize(
        () =>
          tf.tidy(() => this.meanLoss(tf.gather(this.features, indices), tf.gather(this.labels, indices))),
        true,
        this.trainable,
      )!;
      try {
        return (await cost.data())[0]!;
      } finally {
        cost.dispose();
      }
    } finally {
      indices.dispose();
    }
  }

  /** Loss, accuracy and predictions on the items `items`, with the current weights; nothing is trained. */
  async evaluate(items: readonly number[]): Promise<HeadEvaluation> {
    this.assertUsable();
    const predicted = new Int32Array(items.length);
    let lossSum = 0;
    let correct = 0;
    const offset = newClassOffset(this.initial);
    for (let start = 0; start < items.length; start += EVALUATION_CHUNK) {
      const chunk = items.slice(start, start + EVALUATION_CHUNK);
      const [losses, top] = tf.tidy(() => {
        const indices = tf.tensor1d(Int32Array.from(chunk), 'int32');
        const logits = this.logits(tf.gather(this.features, indices));
        return [this.itemLosses(logits, tf.gather(this.labels, indices)), tf.argMax(logits, 1)] as const;
      });
      const [lossValues, topValues] = await Promise.all([losses.data(), top.data()]);
      losses.dispose();
      top.dispose();
      chunk.forEach((item, i) => {
        lossSum += lossValues[i]!;
        const guess = topValues[i]! - offset;
        predicted[start + i] = guess < 0 ? -1 : guess;
        if (guess === this.hostLabels[item]) correct += 1;
      });
    }
    const n = items.length;
    return {
      loss: n === 0 ? Number.NaN : lossSum / n,
      accuracy: n === 0 ? Number.NaN : correct / n,
      predicted,
    };
  }

  /** The current weights as plain arrays; a keep-ImageNet head's kept fc is the one it was given. */
  async weights(): Promise<HeadWeights> {
    this.assertUsable();
    const values = await Promise.all(this.trainable.map((v) => v.data() as Promise<Float32Array>));
    const layer = (like: DenseWeights, at: number): DenseWeights => ({
      inputs: like.inputs,
      outputs: like.outputs,
      kernel: values[at]!,
      bias: values[at + 1]!,
    });
    switch (this.initial.kind) {
      case 'dense':
        return { kind: 'dense', output: layer(this.initial.output, 0) };
      case 'hidden':
        return {
          kind: 'hidden',
          hidden: layer(this.initial.hidden, 0),
          output: layer(this.initial.output, 2),
        };
      case 'keepImageNet':
        return { kind: 'keepImageNet', kept: this.initial.kept, output: layer(this.initial.output, 0) };
    }
  }

  /** Puts `weights` (from weights(), of this head) back: early stopping's return to the best epoch. */
  restore(weights: HeadWeights): void {
    this.assertUsable();
    if (weights.kind !== this.initial.kind)
      throw new TypeError(`a ${weights.kind} head's weights for a ${this.initial.kind} head`);
    const layers = weights.kind === 'hidden' ? [weights.hidden, weights.output] : [weights.output];
    const arrays = layers.flatMap((l) => [l.kernel, l.bias]);
    this.trainable.forEach((variable, i) => {
      if (arrays[i]!.length !== variable.size)
        throw new RangeError(`weights of another shape for ${variable.shape.join(' x ')}`);
      const value = tf.tensor(arrays[i]!, variable.shape);
      variable.assign(value);
      value.dispose();
    });
  }

  /** Frees every tensor: the features, the weights and Adam's moments. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.features, this.labels, ...this.trainable, ...this.frozen]);
    this.optimizer.dispose();
  }

  private meanLoss(x: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
    return tf.mean(this.itemLosses(this.logits(x), labels));
  }

  /** Softmax cross-entropy per item, against the item's class after the kept ones. */
  private itemLosses(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
    const targets = tf.oneHot(
      tf.add(labels, tf.scalar(newClassOffset(this.initial), 'int32')),
      headOutputs(this.initial),
    );
    return tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('the head trainer was disposed');
  }
}
