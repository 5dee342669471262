/** Softmax and top-k on the backend, and reading the k results back as labelled predictions. */
import * as tf from '@tensorflow/tfjs-core';

import { IMAGENET_LABELS, IMAGENET_SYNONYMS } from '../shared/imagenetLabels';

import type { Prediction } from '../shared/predictions';

/**
 * Softmax and top-k on the backend, so only k values and k indices per image leave it.
 * Returns tensors the caller must dispose (use inside tf.tidy or dispose explicitly).
 */
export function topKOnBackend(
  logits: tf.Tensor2D,
  k: number,
  outputIsProbabilities = false,
): { values: tf.Tensor2D; indices: tf.Tensor2D } {
  return tf.tidy(() => {
    // A model whose last layer already applies softmax must not get a second one (it would flatten it).
    const probabilities = outputIsProbabilities ? logits : tf.softmax(logits);
    const { values, indices } = tf.topk(probabilities, k, true);
    return { values: values as tf.Tensor2D, indices: indices as tf.Tensor2D };
  });
}

/** What each class index is called: a label and its synonyms per index. */
export interface ClassNames {
  labels: readonly string[];
  synonyms: readonly string[];
}

export const IMAGENET_CLASS_NAMES: ClassNames = { labels: IMAGENET_LABELS, synonyms: IMAGENET_SYNONYMS };

/** Downloads a top-k result and disposes its tensors; `names` label the indices (ImageNet's unless given). */
export async function readTopK(
  values: tf.Tensor2D,
  indices: tf.Tensor2D,
  names: ClassNames = IMAGENET_CLASS_NAMES,
): Promise<Prediction[][]> {
  try {
    const [n, k] = values.shape;
    const [v, idx] = await Promise.all([values.data(), indices.data()]);
    return Array.from({ length: n }, (_, row) =>
      Array.from({ length: k }, (_, rank) => {
        const classIndex = idx[row * k + rank]!;
        return {
          classIndex,
          label: names.labels[classIndex]!,
          synonyms: names.synonyms[classIndex]!,
          probability: v[row * k + rank]!,
        };
      }),
    );
  } finally {
    values.dispose();
    indices.dispose();
  }
}
