// Occlusion, integrated gradients and the deletion/insertion curves equal PyTorch's within 1e-3 (Score-CAM's
// maps have their own file, scoreCam.pytorch.test.ts, so the two test workers share the passes). On the photo at
// half size, as the reference script makes them: each pass a quarter of the cost, occlusion's a fifth as many (the
// browser test, e2e/explain.spec.ts, compares the full-size maps and curves). The curves are of PyTorch's own
// layer4 Grad-CAM map at that size, the numbers it wrote: Grad-CAM itself is proven at full size in
// explainer.pytorch.test.ts (its gradient probes have the 224-px crop's shapes).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ExplainableStage } from '../model/splitNetwork';
import { expectMapClose, explainReference, hasExplainReference } from '../testing/explainReference';
import { useWasmReferenceSubject } from '../testing/wasmReferenceSubject';
import { dividedByMax } from './attributionMap';
import { computeMap, faithfulnessOf } from './explainer';
import type { ExplainTarget } from './explainer';
import { quietControl } from './runControl';

describe.skipIf(!hasExplainReference)(
  'perturbation methods equal PyTorch (run scripts/make_explain_reference.py to enable)',
  () => {
    const reference = hasExplainReference ? explainReference() : null;
    const held = useWasmReferenceSubject();
    let target: ExplainTarget;
    let halves: tf.Tensor4D[];
    beforeAll(() => {
      const { classifier, x, baseline } = held.subject;
      halves = [x, baseline].map((t) => tf.avgPool(t, 2, 2, 'valid'));
      target = {
        network: classifier.network(),
        x: halves[0]!,
        baseline: halves[1]!,
        classIndex: explainReference().classIndex,
        control: quietControl(),
      };
    });
    afterAll(() => tf.dispose(halves));

    const maps = (reference?.maps ?? []).filter(
      (m) => ['occlusion', 'ig'].includes(m.method) && m.inputSize !== undefined,
    );

    it('the reference has occlusion (two patch sizes) and integrated gradients on the photo at half size', () => {
      expect(maps.map((m) => [m.method, m.options ?? null, m.inputSize])).toEqual([
        ['occlusion', { patch: 32, stride: 16 }, 112],
        ['occlusion', { patch: 56, stride: 28 }, 112],
        ['ig', null, 112],
      ]);
      expect(reference!.halfSize.inputSize).toBe(112);
      expect(target.x.shape).toEqual([1, 112, 112, 3]);
    });
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
          const expected = reference!.halfSize.integratedGradients;
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
      const ref = reference!.halfSize.faithfulness;
      const gradcam = reference!.maps.find(
        (m) => m.method === 'gradcam' && m.stage === 'layer4' && m.inputSize !== undefined,
      )!;
      const map = { height: gradcam.height, width: gradcam.width, values: Float32Array.from(gradcam.values) };
      const curves = await faithfulnessOf(map, target);
      const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
      expect(worst(curves.deletion, ref.deletion)).toBeLessThanOrEqual(1e-3);
      expect(worst(curves.insertion, ref.insertion)).toBeLessThanOrEqual(1e-3);
      expect(curves.deletionAuc).toBeCloseTo(ref.deletionAuc, 3);
      expect(curves.insertionAuc).toBeCloseTo(ref.insertionAuc, 3);
    });
  },
);
