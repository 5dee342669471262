// Every gradient-based map equals PyTorch's (scripts/make_explain_reference.py) within 1e-3, on TF.js' WASM
// backend (the one the app runs without a GPU): the seeded torchvision ResNet18, the same photo, top-1 class,
// layer3 and layer4.
import * as tf from '@tensorflow/tfjs-core';
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
import { computeMap, computeSweep } from './explainer';
import type { ExplainTarget } from './explainer';
import { quietControl } from './runControl';
import { setWasmBackend } from '../testing/wasmBackend';

describe.skipIf(!hasExplainReference)(
  'gradient CAMs equal PyTorch (run scripts/make_explain_reference.py to enable)',
  () => {
    const reference = hasExplainReference ? explainReference() : null;
    let subject: Awaited<ReturnType<typeof referenceSubject>>;
    let classifier: ResNetClassifier;
    let target: ExplainTarget;
    let tensorsBefore: number;

    beforeAll(async () => {
      await setWasmBackend();
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

    it('explains the class PyTorch ranked first', async () => {
      const [top] = (await classifier.classifyTensor(target.x, 1))[0]!;
      expect(top!.classIndex).toBe(reference!.classIndex);
    });

    // At full size (the maps with an input size are the half-size photo's, for perturbation.pytorch.test.ts).
    const gradientMaps = (reference?.maps ?? []).filter(
      (m) =>
        ['cam', 'gradcam', 'gradcampp', 'gradcampp-eps', 'layercam'].includes(m.method) &&
        m.inputSize === undefined,
    );
    it.each(gradientMaps.map((m) => [m.method, m.stage, m] as const))(
      '%s at %s',
      async (method, stage, ref) => {
        const map = await computeMap(method, stage as ExplainableStage, target);
        expect([map.height, map.width]).toEqual([ref.height, ref.width]);
        expectMapClose(dividedByMax(map.values), ref, 1e-3);
      },
    );

    it('the two Grad-CAM++ forms differ here by more than the tolerance, so each test tells them apart', () => {
      for (const stage of ['layer3', 'layer4']) {
        const [paper, eps] = ['gradcampp', 'gradcampp-eps'].map(
          (method) => gradientMaps.find((m) => m.method === method && m.stage === stage)!.values,
        );
        const worst = Math.max(...paper!.map((v, i) => Math.abs(v - eps![i]!)));
        expect(worst).toBeGreaterThan(1e-2);
      }
    });

    it('a layer sweep (one forward, one backward pass) gives the same maps as each stage on its own', async () => {
      const stages = classifier.network().stages;
      const sweep = await computeSweep('gradcampp', stages, target);
      for (const ref of gradientMaps.filter((m) => m.method === 'gradcampp')) {
        expectMapClose(dividedByMax(sweep[stages.indexOf(ref.stage as ExplainableStage)]!.values), ref, 1e-3);
      }
      const stem = await computeMap('gradcampp', 'stem', target);
      const worst = Math.max(...stem.values.map((v, i) => Math.abs(v - sweep[0]!.values[i]!)));
      expect(worst).toBeLessThanOrEqual(1e-5 * Math.max(...stem.values));
    });
  },
);
