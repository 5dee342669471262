// Score-CAM's maps equal PyTorch's within 1e-3 at layer3 and layer4: one forward pass per channel, so a file of its
// own (the other perturbation methods are in perturbation.pytorch.test.ts), and on the photo at half size (the
// crop 2x2 average pooled, as the reference script does), a quarter of the cost of each pass. The browser test
// (e2e/explain.spec.ts) compares the full-size map at layer3.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ExplainableStage } from '../model/splitNetwork';
import { expectMapClose, explainReference, hasExplainReference } from '../testing/explainReference';
import { useWasmReferenceSubject } from '../testing/wasmReferenceSubject';
import { dividedByMax } from './attributionMap';
import { computeMap } from './explainer';
import type { ExplainTarget } from './explainer';
import { quietControl } from './runControl';

describe.skipIf(!hasExplainReference)(
  'Score-CAM equals PyTorch (run scripts/make_explain_reference.py to enable)',
  () => {
    const maps = hasExplainReference
      ? explainReference().maps.filter((m) => m.method === 'scorecam' && m.inputSize !== undefined)
      : [];
    const held = useWasmReferenceSubject();
    let target: ExplainTarget;
    let half: tf.Tensor4D;
    beforeAll(() => {
      const { classifier, x, baseline } = held.subject;
      half = tf.avgPool(x, 2, 2, 'valid');
      target = {
        network: classifier.network(),
        x: half,
        baseline,
        classIndex: explainReference().classIndex,
        control: quietControl(),
      };
    });
    afterAll(() => half.dispose());

    it('the reference has Score-CAM maps at both stages on the photo at half size', () => {
      expect(maps.map((m) => [m.stage, m.inputSize])).toEqual([
        ['layer3', 112],
        ['layer4', 112],
      ]);
      expect(half.shape).toEqual([1, 112, 112, 3]);
    });

    it.each(maps.map((m) => [m.stage, m] as const))(
      'scorecam at %s',
      async (stage, ref) => {
        const map = await computeMap('scorecam', stage as ExplainableStage, target);
        expect([map.height, map.width]).toEqual([ref.height, ref.width]);
        expectMapClose(dividedByMax(map.values), ref, 1e-3);
      },
      600_000,
    );
  },
);
