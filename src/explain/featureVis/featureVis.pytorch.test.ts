// One feature-visualization step's gradient with respect to the Fourier parameters equals PyTorch's
// (scripts/make_featvis_reference.py) within 1e-3 after division by its maximum: the seeded torchvision ResNet18 on
// TF.js' WASM backend, the same seeded parameters, the same transform values, three objectives.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ResNetClassifier } from '../../model/classifier';
import { referenceClassifier } from '../../testing/explainReference';
import { setWasmBackend } from '../../testing/wasmBackend';
import { FourierImage } from './fourierImage';
import { objectiveGradient } from './objective';
import type { FeatureObjective } from './objective';
import type { TransformValues } from './transforms';

const FILE = resolve(import.meta.dirname, '../../../test-fixtures/reference/featvis.json');
const hasReference = existsSync(FILE);

interface FeatVisReference {
  size: number;
  seed: number;
  stddev: number;
  paramShape: number[];
  paramsFirst: number[];
  paramsSum: number;
  transform: TransformValues;
  /** Stages' channels and classes: the script has no block targets. */
  objectives: (Exclude<FeatureObjective, { kind: 'block' }> & {
    value: number;
    gradientMaxAbs: number;
    gradient: number[];
  })[];
}

describe.skipIf(!hasReference)(
  'feature visualization gradients equal PyTorch (run scripts/make_featvis_reference.py to enable)',
  () => {
    const reference = hasReference ? (JSON.parse(readFileSync(FILE, 'utf8')) as FeatVisReference) : null;
    let classifier: ResNetClassifier;
    let image: FourierImage;
    let params: tf.Tensor4D;
    let tensorsBefore: number;

    beforeAll(async () => {
      await setWasmBackend();
      tensorsBefore = tf.memory().numTensors;
      classifier = await referenceClassifier();
      image = new FourierImage(reference!.size, reference!.size);
      params = image.initialParams(reference!.seed, reference!.stddev);
    });

    afterAll(() => {
      tf.dispose(params);
      image.dispose();
      classifier.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    });

    it('starts from the parameters PyTorch started from', () => {
      expect(params.shape).toEqual(reference!.paramShape);
      const values = params.dataSync<'float32'>();
      expect(Array.from(values.slice(0, 8))).toEqual(reference!.paramsFirst.map(Math.fround));
      let sum = 0;
      for (const v of values) sum += v;
      expect(sum).toBeCloseTo(reference!.paramsSum, 3);
    });

    it.each(
      (reference?.objectives ?? []).map(
        (o) => [o.kind === 'class' ? `class ${o.classIndex}` : `${o.stage} channel ${o.channel}`, o] as const,
      ),
    )(
      '%s',
      (_, ref) => {
        const { value, gradient } = objectiveGradient(
          { network: classifier.network(), preprocess: classifier.preprocess, image, objective: ref },
          params,
          reference!.transform,
        );
        const values = gradient.dataSync<'float32'>();
        gradient.dispose();
        expect(values.length).toBe(ref.gradient.length);
        let peak = 0;
        for (const v of values) peak = Math.max(peak, Math.abs(v));
        let worst = 0;
        ref.gradient.forEach((g, i) => (worst = Math.max(worst, Math.abs(values[i]! / peak - g))));
        console.info(
          `featvis ${JSON.stringify(ref.kind === 'class' ? ref.classIndex : [ref.stage, ref.channel])}: max |diff| ${worst.toExponential(2)}, value ${value} vs ${ref.value}, peak ${peak} vs ${ref.gradientMaxAbs}`,
        );
        expect(worst).toBeLessThanOrEqual(1e-3);
        expect(value).toBeCloseTo(ref.value, 3);
        expect(peak / ref.gradientMaxAbs).toBeCloseTo(1, 3);
      },
      300_000,
    );
  },
);
