// Score-CAM, occlusion, integrated gradients and the deletion/insertion curves equal PyTorch's within 1e-3.
// Hundreds of forward passes each: on TF.js' WASM backend (XNNPACK, still the CPU), where a pass takes a
// tenth of the plain CPU backend's time.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ResNetClassifier } from '../model/classifier';
import type { ExplainableStage } from '../model/splitNetwork';
import {
  expectMapClose,
  explainReference,
  hasExplainReference,
  referenceSubject,
} from '../testing/explainReference';
import { dividedByMax } from './attributionMap';
import { computeMap, faithfulnessOf } from './explainer';
import type { ExplainTarget } from './explainer';
import { quietControl } from './runControl';

describe.skipIf(!hasExplainReference)(
  'perturbation methods equal PyTorch (run scripts/make_explain_reference.py to enable)',
  () => {
    const reference = hasExplainReference ? explainReference() : null;
    let subject: Awaited<ReturnType<typeof referenceSubject>>;
    let classifier: ResNetClassifier;
    let target: ExplainTarget;
    let tensorsBefore: number;

    beforeAll(async () => {
      setWasmPaths(
        `${resolve(import.meta.dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`,
      );
      await tf.setBackend('wasm');
      tensorsBefore = tf.memory().numTensors;
      subject = await referenceSubject();
      classifier = subject.classifier;
      const { x, baseline } = subject;
      target = {
        network: classifier.network(),
        x,
        baseline,
        classIndex: reference!.classIndex,
        control: quietControl(),
      };
    });

    afterAll(() => {
      subject.dispose();
      // Every explanation freed what it made; the model kept only its gradient kernels, freed with it.
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    });

    const maps = (reference?.maps ?? []).filter((m) => ['scorecam', 'occlusion', 'ig'].includes(m.method));
    it.each(
      maps.map(
        (m) => [m.method, m.stage, m.options ? `${m.options.patch}/${m.options.stride}` : '', m] as const,
      ),
    )(
      '%s at %s %s',
      async (method, stage, _options, ref) => {
        const map = await computeMap(method, stage as ExplainableStage, {
          ...target,
          ...(ref.options ? { occlusion: ref.options } : {}),
        });
        expect([map.height, map.width]).toEqual([ref.height, ref.width]);
        if (method !== 'ig') expectMapClose(dividedByMax(map.values), ref, 1e-3);
        if (method === 'ig') {
          // Pixel gradients of a ReLU network jump where a unit crosses zero, so float32 rounding decides a few
          // pixels: TF.js' CPU and WASM backends differ from each other by up to 5e-3 on this map, as much as
          // either differs from PyTorch. Nearly every pixel must be within 1e-3, and every one within 1e-2.
          const values = dividedByMax(map.values);
          const off = ref.values.filter((v, i) => Math.abs(values[i]! - v) > 1e-3).length;
          expect(off / ref.values.length).toBeLessThan(0.01);
          expectMapClose(values, ref, 1e-2);
          const { attributionSum, scoreDifference } = map.completeness!;
          const expected = reference!.integratedGradients;
          expect(attributionSum).toBeCloseTo(expected.attributionSum, 2);
          expect(scoreDifference).toBeCloseTo(expected.scoreDifference, 3);
          // Completeness within 5%: the midpoint rule's error over 32 steps.
          expect(Math.abs(attributionSum - scoreDifference)).toBeLessThanOrEqual(
            0.05 * Math.abs(scoreDifference),
          );
        }
      },
      600_000,
    );

    it('deletion and insertion curves of the Grad-CAM layer4 map', async () => {
      const ref = reference!.faithfulness;
      const map = await computeMap('gradcam', 'layer4', target);
      const curves = await faithfulnessOf(map, target);
      const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
      expect(worst(curves.deletion, ref.deletion)).toBeLessThanOrEqual(1e-3);
      expect(worst(curves.insertion, ref.insertion)).toBeLessThanOrEqual(1e-3);
      expect(curves.deletionAuc).toBeCloseTo(ref.deletionAuc, 3);
      expect(curves.insertionAuc).toBeCloseTo(ref.insertionAuc, 3);
    });
  },
);
