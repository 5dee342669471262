// Score-CAM's maps equal PyTorch's within 1e-3 at layer3 and layer4: one forward pass per channel, so a file of its
// own (the other perturbation methods are in perturbation.pytorch.test.ts), and on the photo made smaller as the
// reference script does (the crop average pooled: layer3's 256 passes at half size, layer4's 512 at a quarter, a
// 2x2 map), each pass a fraction of the full cost. The browser test (e2e/explain.spec.ts) compares the full-size
// map at layer3.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import type { ExplainableStage } from '../model/splitNetwork';
import { expectMapClose, explainReference, hasExplainReference } from '../testing/explainReference';
import { useWasmReferenceSubject } from '../testing/wasmReferenceSubject';
import { dividedByMax } from './attributionMap';
import { computeMap } from './explainer';
import { quietControl } from './runControl';

const CROP = 224;

describe.skipIf(!hasExplainReference)(
  'Score-CAM equals PyTorch (run scripts/make_explain_reference.py to enable)',
  () => {
    const maps = hasExplainReference
      ? explainReference().maps.filter((m) => m.method === 'scorecam' && m.inputSize !== undefined)
      : [];
    const held = useWasmReferenceSubject();

    it('the reference has Score-CAM at layer3 on the photo at half size and at layer4 at a quarter', () => {
      expect(maps.map((m) => [m.stage, m.inputSize, m.height])).toEqual([
        ['layer3', 112, 7],
        ['layer4', 56, 2],
      ]);
    });

    it.each(maps.map((m) => [m.stage, m.inputSize, m] as const))(
      'scorecam at %s on the photo at %i px',
      async (stage, inputSize, ref) => {
        const { classifier, x, baseline } = held.subject;
        const small = tf.avgPool(x, CROP / inputSize!, CROP / inputSize!, 'valid');
        try {
          expect(small.shape).toEqual([1, inputSize, inputSize, 3]);
          const map = await computeMap('scorecam', stage as ExplainableStage, {
            network: classifier.network(),
            x: small,
            baseline,
            classIndex: explainReference().classIndex,
            control: quietControl(),
          });
          expect([map.height, map.width]).toEqual([ref.height, ref.width]);
          expectMapClose(dividedByMax(map.values), ref, 1e-3);
        } finally {
          small.dispose();
        }
      },
      600_000,
    );
  },
);
