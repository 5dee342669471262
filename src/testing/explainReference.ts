/**
 * The PyTorch explanation reference (scripts/make_explain_reference.py) and what the tests need to meet it: the
 * seeded torchvision ResNet18, the photo crop it saw, normalized by the app's own preprocessing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

import type { ResNetClassifier } from '../model/classifier';
import { loadClassifier } from '../model/loadClassifier';
import type { ExplainMethod } from '../shared/explain';

const DIR = resolve(import.meta.dirname, '../../test-fixtures/reference');
const JSON_FILE = resolve(DIR, 'resnet18.explain.json');

export interface ReferenceMap {
  method: ExplainMethod;
  stage: string;
  height: number;
  width: number;
  values: number[];
  options?: { patch: number; stride: number };
  /** The photo's size where it is not the crop's 224 px (the unit tests' maps, on the crop 2x2 average pooled). */
  inputSize?: number;
}

interface FaithfulnessCurves {
  method: ExplainMethod;
  stage: string;
  deletion: number[];
  insertion: number[];
  deletionAuc: number;
  insertionAuc: number;
}

interface IntegratedGradientsFigures {
  steps: number;
  attributionSum: number;
  scoreDifference: number;
}

export interface ExplainReference {
  classIndex: number;
  score: number;
  probability: number;
  maps: ReferenceMap[];
  integratedGradients: IntegratedGradientsFigures;
  faithfulness: FaithfulnessCurves;
  /** Figures on the photo at half size, where the maps with `inputSize` were made. */
  halfSize: {
    inputSize: number;
    probability: number;
    integratedGradients: IntegratedGradientsFigures;
    faithfulness: FaithfulnessCurves;
  };
}

export const hasExplainReference = existsSync(JSON_FILE);

export function explainReference(): ExplainReference {
  return JSON.parse(readFileSync(JSON_FILE, 'utf8')) as ExplainReference;
}

/** The seeded torchvision ResNet18 PyTorch explained, loaded as the app loads a user's .safetensors. */
export async function referenceClassifier(): Promise<ResNetClassifier> {
  const bytes = readFileSync(resolve(DIR, 'resnet18.safetensors'));
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return (await loadClassifier({
    kind: 'files',
    origin: 'file',
    name: 'resnet18.safetensors',
    files: [{ name: 'resnet18.safetensors', data }],
  })) as ResNetClassifier;
}

/** RGBA crop [1, 224, 224, 4] of the photo PyTorch saw (alpha opaque), for the classifier's own normalization. */
export function referenceCrop(): tf.Tensor4D {
  const rgb = readFileSync(resolve(DIR, 'chelsea-224-rgb.bin'));
  const rgba = new Int32Array(224 * 224 * 4);
  for (let p = 0; p < 224 * 224; p++) {
    rgba.set([rgb[p * 3]!, rgb[p * 3 + 1]!, rgb[p * 3 + 2]!, 255], p * 4);
  }
  return tf.tensor4d(rgba, [1, 224, 224, 4], 'int32');
}

/** The black image, as the baseline of integrated gradients. */
export function blackCrop(): tf.Tensor4D {
  const rgba = new Int32Array(224 * 224 * 4);
  for (let p = 0; p < 224 * 224; p++) rgba[p * 4 + 3] = 255;
  return tf.tensor4d(rgba, [1, 224, 224, 4], 'int32');
}

/** The reference classifier with the photo and the black baseline normalized by it; `dispose` frees all three. */
export async function referenceSubject(): Promise<{
  classifier: ResNetClassifier;
  x: tf.Tensor4D;
  baseline: tf.Tensor4D;
  dispose: () => void;
}> {
  const classifier = await referenceClassifier();
  const [crop, black] = [referenceCrop(), blackCrop()];
  const x = classifier.normalize(crop);
  const baseline = classifier.normalize(black);
  tf.dispose([crop, black]);
  return {
    classifier,
    x,
    baseline,
    dispose: () => {
      tf.dispose([x, baseline]);
      classifier.dispose();
    },
  };
}

/** Max |a - b| after both are divided by their maximum, as the issue defines agreement. */
export function expectMapClose(actual: Float32Array, reference: ReferenceMap, tolerance: number): number {
  expect(actual.length).toBe(reference.height * reference.width);
  let worst = 0;
  reference.values.forEach((v, i) => (worst = Math.max(worst, Math.abs(actual[i]! - v))));
  expect(worst, `${reference.method} at ${reference.stage}`).toBeLessThanOrEqual(tolerance);
  return worst;
}
