/** The methods' table and its stage rule, the one place the store, worker, explainer, panel and bench ask. */
import { describe, expect, it } from 'vitest';

import {
  EXPLAIN_METHODS,
  EXPLAIN_METHOD_IDS,
  computedStages,
  isSweep,
  mapStage,
  methodsAt,
  requestStage,
} from './explain';
import type { ExplainableStage } from './explain';

const RESNET18: ExplainableStage[] = ['stem', 'layer1', 'layer2', 'layer3', 'layer4'];

describe('the methods table', () => {
  it('lists each method once, in the order the page offers them, each with a label and a hint', () => {
    expect(EXPLAIN_METHOD_IDS).toEqual([
      'cam',
      'gradcam',
      'gradcampp',
      'gradcampp-eps',
      'layercam',
      'scorecam',
      'occlusion',
      'ig',
    ]);
    for (const m of EXPLAIN_METHODS) {
      expect(m.label, m.id).not.toBe('');
      expect(m.hint, m.id).toMatch(/\.$/);
    }
  });

  it('says where each map is taken and what it costs', () => {
    const rows = Object.fromEntries(EXPLAIN_METHODS.map((m) => [m.id, [m.stages, m.needs]]));
    expect(rows).toEqual({
      cam: ['last', 'gradient'],
      gradcam: ['any', 'gradient'],
      gradcampp: ['any', 'gradient'],
      'gradcampp-eps': ['any', 'gradient'],
      layercam: ['any', 'gradient'],
      scorecam: ['any', 'perturbation-batches'],
      occlusion: ['input', 'perturbation-batches'],
      ig: ['input', 'gradient-batches'],
    });
  });
});

describe('the stage rule', () => {
  it('sends the chosen stage or sweep to the methods that take any stage, the last when none or a missing one is chosen', () => {
    expect(requestStage('gradcam', 'layer2', RESNET18)).toBe('layer2');
    expect(requestStage('scorecam', 'all', RESNET18)).toBe('all');
    expect(requestStage('layercam', null, RESNET18)).toBe('layer4');
    // ResNet50's stages have other names: a ResNet18 stage chosen before falls back to the last.
    expect(requestStage('gradcam', 'layer2', ['stem', 'conv2', 'conv3', 'conv4', 'conv5'])).toBe('conv5');
    expect(requestStage('gradcam', 'layer2', [])).toBeNull();
  });

  it('sends CAM and the input-level methods the last stage, whatever was chosen', () => {
    for (const method of ['cam', 'occlusion', 'ig'] as const) {
      for (const choice of ['layer1', 'all', null] as const) {
        expect(requestStage(method, choice, RESNET18), `${method} ${choice}`).toBe('layer4');
      }
    }
  });

  it('computes a sweep at every stage, CAM at the last alone, the input-level methods once', () => {
    expect(computedStages({ method: 'gradcampp', stage: 'all' }, RESNET18)).toEqual(RESNET18);
    expect(computedStages({ method: 'gradcampp', stage: 'layer3' }, RESNET18)).toEqual(['layer3']);
    expect(computedStages({ method: 'cam', stage: 'all' }, RESNET18)).toEqual(['layer4']);
    expect(computedStages({ method: 'ig', stage: 'all' }, RESNET18)).toEqual(['layer4']);
    expect(computedStages({ method: 'occlusion', stage: 'layer1' }, RESNET18)).toEqual(['layer4']);
  });

  it('names the input-level maps `input`, the others by their stage', () => {
    expect(mapStage('occlusion', 'layer4')).toBe('input');
    expect(mapStage('ig', 'all')).toBe('input');
    expect(mapStage('scorecam', 'layer3')).toBe('layer3');
    expect(mapStage('gradcam', 'all')).toBe('all');
  });

  it('calls a request for `all` a sweep unless the method works on the input', () => {
    expect(isSweep({ method: 'gradcam', stage: 'all' })).toBe(true);
    expect(isSweep({ method: 'cam', stage: 'all' })).toBe(true);
    expect(isSweep({ method: 'gradcam', stage: 'layer4' })).toBe(false);
    expect(isSweep({ method: 'ig', stage: 'all' })).toBe(false);
  });

  it('offers CAM only at the last stage', () => {
    expect(methodsAt('layer4', RESNET18)).toEqual(EXPLAIN_METHOD_IDS);
    expect(methodsAt('layer3', RESNET18)).toEqual([
      'gradcam',
      'gradcampp',
      'gradcampp-eps',
      'layercam',
      'scorecam',
      'occlusion',
      'ig',
    ]);
  });
});
