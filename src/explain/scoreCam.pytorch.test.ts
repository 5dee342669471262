// Score-CAM's maps equal PyTorch's within 1e-3 at each stage the reference drew: one forward pass per channel,
// so a file of its own (the other perturbation methods are in perturbation.pytorch.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';

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
    const maps = hasExplainReference ? explainReference().maps.filter((m) => m.method === 'scorecam') : [];
    const held = useWasmReferenceSubject();
    let target: ExplainTarget;
    beforeAll(() => {
      const { classifier, x, baseline } = held.subject;
      target = {
        network: classifier.network(),
        x,
        baseline,
        classIndex: explainReference().classIndex,
        control: quietControl(),
      };
    });

    it('the reference has Score-CAM maps to compare with', () => {
      expect(maps.map((m) => m.stage)).toEqual(['layer3', 'layer4']);
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
