/**
 * The engine's two teaching requests as they cross the worker boundary (features of a batch of images, then a head
 * trained on them), the checks a teach request must pass before any tensor is made, and the report it ends with.
 */
import type { ImageErrorCode } from '../protocol';
import { confusionMatrix, perClassAccuracy, wrongAnswers } from './classMetrics';
import type { ConfusionMatrix } from './classMetrics';
import type { HeldOutSplit } from './heldOutSplit';
import { labeledSetProblems } from './labeledSet';

/** One image's place in a features answer: its row of the matrix, or why it has none. */
export type FeatureRow = { ok: true; row: number } | { ok: false; code: ImageErrorCode; message: string };

/** The pooled features of a batch of images, one row per image that decoded, in the order asked. */
export interface FeaturesResult {
  /** 512 for ResNet18/34, 2,048 for ResNet50. */
  featureSize: number;
  /** [rows, featureSize] row-major: the images that decoded, in the order asked. */
  features: Float32Array;
  /** Per image asked for, in its order. */
  images: FeatureRow[];
  /** With augmentation asked for: the views of each image that decoded, `of` naming its row in `features`. */
  augmented?: AugmentedFeatures;
}

/** How features are read: with `augment`, the views of AUGMENT_VIEWS too (a pass of the backbone each). */
export interface FeaturesOptions {
  augment?: boolean;
}

/** How a head is taught: the choices the panel offers. */
export interface TeachOptions {
  /** Units of one hidden ReLU layer before the output; none (a plain dense head) when absent. */
  hiddenUnits?: number;
  /** Add the new classes beside ImageNet's 1000, whose fc stays as it was (plain dense head only). */
  keepImageNet: boolean;
  /** Seeds the held-out split, the starting weights and each epoch's order: the same seed, the same head. */
  seed: number;
  /** At most this many epochs (DEFAULT_MAX_EPOCHS when absent). */
  maxEpochs?: number;
  /** Epochs without a better held-out loss before stopping (DEFAULT_EARLY_STOPPING's when absent). */
  patience?: number;
}

/** A labeled feature matrix (from `features` answers) and what to call the taught model. */
export interface TeachRequest {
  /** The taught model's name: it goes by `custom:<name>`. */
  name: string;
  /** The new classes, in the order of their indices. */
  classNames: string[];
  /** [count, featureSize] row-major, from the backbone that will carry the head. */
  features: Float32Array;
  featureSize: number;
  /** Per item, its class's index in classNames. */
  labels: Int32Array;
  options: TeachOptions;
  /**
   * Augmented views (src/shared/teach/augmentation.ts), learned from only: their features [views, featureSize]
   * and the item each is a view of. A view of a held-out item is left out, so that nothing of it is learned.
   */
  augmented?: AugmentedFeatures;
}

/** Features of augmented views, each row a view of the item `of` names (its index in the request's items). */
export interface AugmentedFeatures {
  features: Float32Array;
  of: Int32Array;
}

/** One epoch of training: loss and accuracy on both sides of the held-out split, the same weights for both. */
export interface EpochRecord {
  /** From 0. */
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  heldOutLoss: number;
  heldOutAccuracy: number;
}

/** A held-out item the taught head got wrong: its index among the request's items and the two classes. */
export interface WrongAnswer {
  item: number;
  actual: number;
  /** The predicted new class, or -1 where an ImageNet class (keep-ImageNet) scored highest. */
  predicted: number;
}

/** How the teaching went, for the panel's plot, confusion matrix and list of misses. */
export interface TeachReport {
  history: EpochRecord[];
  /** The epoch whose weights the taught model has: the lowest held-out loss. */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** The kept epoch's accuracy on each side of the split, fractions 0..1. */
  trainAccuracy: number;
  heldOutAccuracy: number;
  /** Items (indices into the request's) on each side of the split. */
  train: number[];
  heldOut: number[];
  /** Over the held-out items, with the kept weights. */
  confusion: ConfusionMatrix;
  /** Per class, its held-out accuracy (null for a class with nothing held out). */
  perClassAccuracy: (number | null)[];
  wrong: WrongAnswer[];
}

/** The taught model's id beside the built-in ones: `custom:<name>`. */
export function taughtModelId(name: string): string {
  return `custom:${name}`;
}

/**
 * Why the request cannot be taught, in words for the user, or null. `featureSize`: what the backbone gives, which
 * the features must have come from. Checked before any tensor is made.
 */
export function teachRequestProblem(request: TeachRequest, featureSize: number): string | null {
  const { classNames, features, labels, options } = request;
  if (request.name.trim() === '') return 'The taught model needs a name.';
  if (request.featureSize !== featureSize)
    return `These features have ${request.featureSize} values each; this model's have ${featureSize}: read them with the model that is to be taught.`;
  if (features.length !== labels.length * featureSize)
    return `${labels.length} labels for ${features.length / featureSize} feature vectors.`;
  const counts = new Array<number>(classNames.length).fill(0);
  for (const label of labels) {
    if (!(label >= 0 && label < classNames.length))
      return `A label ${label} names none of the ${classNames.length} classes.`;
    counts[label]! += 1;
  }
  const { augmented } = request;
  if (augmented) {
    if (augmented.features.length !== augmented.of.length * featureSize)
      return `${augmented.of.length} augmented views for ${augmented.features.length / featureSize} feature vectors.`;
    if (augmented.of.some((item) => !(item >= 0 && item < labels.length)))
      return 'An augmented view is of no item of the request.';
  }
  const problem = labeledSetProblems(classNames.map((name, i) => ({ name, imageCount: counts[i]! })))[0];
  if (problem) return problem.message;
  if (options.keepImageNet && options.hiddenUnits !== undefined)
    return 'Keep ImageNet goes with the plain dense head only: the original classes read the features directly.';
  if (
    options.hiddenUnits !== undefined &&
    !(Number.isInteger(options.hiddenUnits) && options.hiddenUnits > 0)
  )
    return `A hidden layer of ${options.hiddenUnits} units cannot be made.`;
  return null;
}

/**
 * What the head learns from: the items on the training side of the split, then the augmented views of those
 * items (appended after the items, labelled as the item they show); the held-out side stays the items alone.
 */
export function trainingWithViews(
  request: Pick<TeachRequest, 'features' | 'featureSize' | 'labels' | 'augmented'>,
  split: HeldOutSplit,
): { features: Float32Array; labels: Int32Array; split: HeldOutSplit } {
  const { augmented, featureSize } = request;
  if (!augmented || augmented.of.length === 0)
    return { features: request.features, labels: request.labels, split };
  const learned = new Set(split.train);
  const views = Array.from(augmented.of.keys()).filter((v) => learned.has(augmented.of[v]!));
  const count = request.labels.length;
  const features = new Float32Array((count + views.length) * featureSize);
  features.set(request.features);
  const labels = new Int32Array(count + views.length);
  labels.set(request.labels);
  views.forEach((v, i) => {
    features.set(
      augmented.features.subarray(v * featureSize, (v + 1) * featureSize),
      (count + i) * featureSize,
    );
    labels[count + i] = request.labels[augmented.of[v]!]!;
  });
  return {
    features,
    labels,
    split: { ...split, train: [...split.train, ...views.map((_, i) => count + i)] },
  };
}

/** The report of a run: its epochs, and how the kept weights did on the held-out items. */
export function teachReport(
  labels: ArrayLike<number>,
  classes: number,
  split: HeldOutSplit,
  run: {
    history: EpochRecord[];
    bestEpoch: number;
    stoppedEarly: boolean;
    heldOutPredicted: ArrayLike<number>;
  },
): TeachReport {
  const actual = split.heldOut.map((item) => labels[item]!);
  const confusion = confusionMatrix(actual, run.heldOutPredicted, classes);
  const best = run.history[run.bestEpoch]!;
  return {
    history: run.history,
    bestEpoch: run.bestEpoch,
    stoppedEarly: run.stoppedEarly,
    trainAccuracy: best.trainAccuracy,
    heldOutAccuracy: best.heldOutAccuracy,
    train: split.train,
    heldOut: split.heldOut,
    confusion,
    perClassAccuracy: perClassAccuracy(confusion),
    wrong: wrongAnswers(actual, run.heldOutPredicted).map((i) => ({
      item: split.heldOut[i]!,
      actual: actual[i]!,
      predicted: run.heldOutPredicted[i]!,
    })),
  };
}
