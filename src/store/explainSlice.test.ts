import { beforeEach, describe, expect, it } from 'vitest';

import type {
  ExplainMap,
  ExplainMethod,
  ExplainRequest,
  ExplainStage,
  FaithfulnessCurves,
  SanityResult,
} from '../shared/explain';
import { methodsAt } from '../shared/explain';
import type { ModelSummary } from '../shared/modelSummary';
import type { InspectResult, StageRender } from '../shared/protocol';
import type { StageName } from '../shared/variants';
import { closed, explainCancelled, fakeBitmap, fakeEngine, flush } from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { explanationExport, sanityVerdict } from './explainSlice';
import { createAppStore } from './index';
import type { AppStore } from './index';

const RESNET18_STAGES: StageName[] = ['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'fc'];
const RESNET50_STAGES: StageName[] = ['stem', 'conv2', 'conv3', 'conv4', 'conv5', 'fc'];

function summary(variant: 'resnet18' | 'resnet50', stages: StageName[]): ModelSummary {
  return {
    variant,
    flavor: variant === 'resnet50' ? 'keras' : 'torchvision',
    stages: stages.map((stage) => ({
      stage,
      outputShape: [7, 7, 512],
      params: 1,
      trainableParams: 1,
      nonTrainableParams: 0,
      outputLayer: stage,
    })),
    totalParams: 1,
    trainableParams: 1,
    nonTrainableParams: 0,
  };
}

function stageRender(name: StageName): StageRender {
  const stats = { min: new Float32Array(1), max: new Float32Array(1), mean: new Float32Array(1) };
  return {
    stage: name,
    outputShape: [7, 7, 512],
    channels: 512,
    bitmap: fakeBitmap(),
    layout: { columns: 1, rows: 1, tileWidth: 7, tileHeight: 7, gap: 1, order: [] },
    stats,
    mean: 0,
    std: 1,
  };
}

function inspectResult(camClass = 281): InspectResult {
  return {
    input: fakeBitmap(),
    stages: [stageRender('stem'), stageRender('layer4')],
    predictions: [
      { classIndex: 281, label: 'tabby', synonyms: 'tabby, tabby cat', probability: 0.6 },
      { classIndex: 285, label: 'Egyptian cat', synonyms: 'Egyptian cat', probability: 0.3 },
    ],
    cam: { classIndex: camClass, bitmap: fakeBitmap() },
    inspectMs: 12,
    decoded: false,
  };
}

function explainMap(method: ExplainMethod, stage: ExplainStage, classIndex: number): ExplainMap {
  return {
    method,
    stage,
    classIndex,
    height: 2,
    width: 2,
    values: new Float32Array([0, 0.25, 0.5, 1]),
    bitmap: fakeBitmap(),
    ms: 5,
  };
}

/** The maps an engine answers `request` with: one per stage for a sweep of `stages`. */
function mapsFor(request: ExplainRequest, stages = ['stem', 'layer1', 'layer2', 'layer3', 'layer4']) {
  if (request.method === 'occlusion' || request.method === 'ig') {
    return [explainMap(request.method, 'input', request.classIndex)];
  }
  const at = request.stage === 'all' ? stages : [request.stage];
  return at.map((s) => explainMap(request.method, s as ExplainStage, request.classIndex));
}

function curves(method: ExplainMethod, deletionAuc: number, insertionAuc: number): FaithfulnessCurves {
  const ramp = Array.from({ length: 33 }, (_, i) => i / 32);
  return {
    method,
    stage: 'layer4',
    classIndex: 281,
    deletion: ramp.map((x) => 1 - x),
    insertion: ramp,
    deletionAuc,
    insertionAuc,
  };
}

function sanityResult(method: ExplainMethod, correlations: number[]): SanityResult {
  const levels = ['original', 'fc', 'layer4', 'layer3', 'layer2', 'layer1', 'stem'] as const;
  return {
    method,
    stage: 'layer4',
    classIndex: 281,
    maps: correlations.map((rankCorrelation, i) => ({
      level: levels[i]!,
      bitmap: fakeBitmap(),
      rankCorrelation,
    })),
  };
}

let store: AppStore;
let fake: FakeEngine;
const state = () => store.getState();

beforeEach(async () => {
  // A fresh store and engine reference per test, built as the app builds it. No model load runs: the test sets
  // the summary a loaded ResNet18 would have.
  fake = fakeEngine();
  store = createAppStore({ engine: fake.engine });
  store.setState({
    modelHandle: fake.adoptModel(),
    summary: summary('resnet18', RESNET18_STAGES),
    weights: { origin: 'file', name: 'resnet18.safetensors' },
  });
});

function addImages(...names: string[]): string[] {
  const before = state().images.length;
  state().addImages(names.map((name) => new File([name], name, { type: 'image/png' })));
  return state()
    .images.slice(before)
    .map((i) => i.id);
}

/** Inspects `id` and answers with `result`; resolves once the store applied it. */
async function inspectReady(id: string, result = inspectResult()): Promise<InspectResult> {
  const inspecting = state().inspectImage(id);
  fake.inspects.at(-1)!.answer.resolve(result);
  await inspecting;
  return result;
}

/** An image inspected and ready, the usual starting point. */
async function ready(): Promise<{ id: string; result: InspectResult }> {
  const [id] = addImages('cat.png');
  return { id: id!, result: await inspectReady(id!) };
}

/** Answers the newest explanation the engine got with the maps it asked for; resolves once applied. */
async function answerExplain(index = -1): Promise<ExplainMap[]> {
  const call = fake.explains.at(index)!;
  const maps = mapsFor(call.args);
  call.answer.resolve(maps);
  await flush();
  return maps;
}

const requests = () => fake.explains.map((c) => c.args);

describe('requestExplanation', () => {
  it('explains the top-1 class at the last stage with Grad-CAM by default, with progress, then shows the map', async () => {
    await ready();

    const explaining = state().requestExplanation();
    await flush();

    expect(requests()).toEqual([{ method: 'gradcam', stage: 'layer4', classIndex: 281 }]);
    expect(state()).toMatchObject({ explainActive: true, explanation: { status: 'running', result: null } });
    expect(state().explainProgress).toEqual({
      lane: 'explanation',
      progress: { fraction: null, message: 'Starting' },
    });

    fake.explains[0]!.onProgress({ fraction: 0.5, message: 'Backward pass' });
    expect(state().explainProgress?.progress).toEqual({ fraction: 0.5, message: 'Backward pass' });

    const maps = mapsFor(fake.explains[0]!.args);
    fake.explains[0]!.answer.resolve(maps);
    await explaining;

    expect(state().explanation).toEqual({
      request: { method: 'gradcam', stage: 'layer4', classIndex: 281 },
      status: 'done',
      result: maps,
      error: null,
    });
    expect(state().explainProgress).toBeNull();
    expect(maps.some((m) => closed(m.bitmap))).toBe(false);
  });

  it('does nothing until an inspection is ready', async () => {
    const [id] = addImages('cat.png');
    void state().inspectImage(id!);

    await state().requestExplanation();

    expect(fake.engine.explain).not.toHaveBeenCalled();
    expect(state().explanation).toBeNull();
  });

  it('asks again whenever the method, stage or class changes once asked, and not before', async () => {
    await ready();
    state().setExplainMethod('layercam');
    state().setExplainStage('layer2');
    await flush();
    expect(fake.engine.explain).not.toHaveBeenCalled();

    void state().requestExplanation();
    await flush();
    expect(requests()).toEqual([{ method: 'layercam', stage: 'layer2', classIndex: 281 }]);
    await answerExplain();

    state().setExplainStage('all');
    await flush();
    expect(requests().at(-1)).toEqual({ method: 'layercam', stage: 'all', classIndex: 281 });
    const sweep = await answerExplain();
    expect(sweep.map((m) => m.stage)).toEqual(['stem', 'layer1', 'layer2', 'layer3', 'layer4']);
    expect(state().explanation?.result).toBe(sweep);

    state().setExplainMethod('gradcampp');
    await flush();
    expect(requests().at(-1)).toEqual({ method: 'gradcampp', stage: 'all', classIndex: 281 });
  });

  it('sends CAM and the input-level methods the last stage, whatever stage was chosen', async () => {
    await ready();
    state().setExplainStage('layer1');
    void state().requestExplanation();
    await flush();
    await answerExplain();

    for (const method of ['cam', 'occlusion', 'ig'] as const) {
      state().setExplainMethod(method);
      await flush();
      expect(requests().at(-1)).toEqual({ method, stage: 'layer4', classIndex: 281 });
      await answerExplain();
    }
    // The choice itself is kept for the methods that use it.
    state().setExplainMethod('gradcam');
    await flush();
    expect(requests().at(-1)).toEqual({ method: 'gradcam', stage: 'layer1', classIndex: 281 });
  });

  it('does not ask again for the map already shown', async () => {
    await ready();
    void state().requestExplanation();
    await flush();
    await answerExplain();

    await state().requestExplanation();
    state().setExplainClass(281);
    await flush();

    expect(fake.engine.explain).toHaveBeenCalledOnce();
  });

  it('sets status error with the engine message when the engine fails, and asks again when told to', async () => {
    await ready();
    const explaining = state().requestExplanation();
    await flush();

    fake.explains[0]!.answer.reject(new Error('No image is being inspected with the current model.'));
    await explaining;

    expect(state().explanation).toMatchObject({
      status: 'error',
      error: 'No image is being inspected with the current model.',
      result: null,
    });
    expect(state().explainProgress).toBeNull();

    void state().requestExplanation();
    await flush();
    expect(fake.engine.explain).toHaveBeenCalledTimes(2);
  });
});

describe('supersession', () => {
  it('stops the running job for a newer request, closes the late answer, and then runs the newer one', async () => {
    const { result } = await ready();
    void state().requestExplanation();
    await flush();
    expect(fake.engine.explain).toHaveBeenCalledOnce();

    state().setExplainClass(285);
    await flush();

    // The engine is asked to stop the old job; the new one waits for it (the engine runs one at a time).
    expect(fake.engine.cancel).toHaveBeenCalledOnce();
    expect(fake.engine.explain).toHaveBeenCalledOnce();
    expect(state().explanation).toMatchObject({
      request: { method: 'gradcam', stage: 'layer4', classIndex: 285 },
      status: 'queued',
    });

    // The old job finished anyway before it saw the cancel: its bitmaps are closed, never shown.
    const late = mapsFor(fake.explains[0]!.args);
    fake.explains[0]!.answer.resolve(late);
    await flush();
    expect(late.every((m) => closed(m.bitmap))).toBe(true);
    expect(requests()).toEqual([
      { method: 'gradcam', stage: 'layer4', classIndex: 281 },
      { method: 'gradcam', stage: 'layer4', classIndex: 285 },
    ]);
    expect(state().explanation?.status).toBe('running');

    const newer = await answerExplain();
    expect(state().explanation).toMatchObject({ status: 'done', result: newer });
    expect(newer.some((m) => closed(m.bitmap))).toBe(false);
    expect(closed(result.input)).toBe(false);
  });

  it('closes the bitmaps of the map it replaces', async () => {
    await ready();
    void state().requestExplanation();
    await flush();
    const old = await answerExplain();

    state().setExplainMethod('gradcampp');
    await flush();

    expect(old.every((m) => closed(m.bitmap))).toBe(true);
    expect(state().explanation).toMatchObject({ status: 'running', result: null });
  });

  it('never sends a request that a newer one superseded while it waited', async () => {
    await ready();
    void state().requestExplanation();
    await flush();
    state().setExplainClass(1);
    state().setExplainClass(2);
    state().setExplainClass(3);
    fake.explains[0]!.answer.reject(explainCancelled());
    await flush();

    expect(requests().map((r) => r.classIndex)).toEqual([281, 3]);
    expect(state().explanation).toMatchObject({ status: 'running', request: { classIndex: 3 } });
  });
});

describe('cancelExplain', () => {
  it("stops the engine's job and ends it as cancelled, not as an error; the next explanation still works", async () => {
    await ready();
    state().setExplainMethod('scorecam');
    state().setExplainStage('layer3');
    const explaining = state().requestExplanation();
    await flush();
    fake.explains[0]!.onProgress({ fraction: 0.1, message: 'Channel 26 of 256' });

    state().cancelExplain();

    expect(fake.engine.cancel).toHaveBeenCalledOnce();
    expect(state().explanation).toMatchObject({ status: 'cancelled', error: null, result: null });
    expect(state().explainProgress).toBeNull();

    // The engine's job ends at its next step, with the cancelled error: nothing changes, no progress comes back.
    fake.explains[0]!.onProgress({ fraction: 0.11, message: 'Channel 27 of 256' });
    fake.explains[0]!.answer.reject(explainCancelled());
    await explaining;
    expect(state().explanation?.status).toBe('cancelled');
    expect(state().explainProgress).toBeNull();

    state().setExplainMethod('gradcam');
    await flush();
    expect(requests().at(-1)).toEqual({ method: 'gradcam', stage: 'layer3', classIndex: 281 });
    await answerExplain();
    expect(state().explanation?.status).toBe('done');
  });

  it('reads an engine job that ended cancelled by itself as cancelled', async () => {
    await ready();
    const explaining = state().requestExplanation();
    await flush();

    fake.explains[0]!.answer.reject(explainCancelled());
    await explaining;

    expect(state().explanation).toMatchObject({ status: 'cancelled', error: null });
  });

  it('cancels waiting jobs too, which then never reach the engine', async () => {
    await ready();
    void state().requestExplanation();
    await flush();
    void state().requestSanityCheck();
    await flush();
    expect(state().explainSanity?.status).toBe('queued');

    state().cancelExplain();
    fake.explains[0]!.answer.reject(explainCancelled());
    await flush();

    expect(state().explainSanity?.status).toBe('cancelled');
    expect(fake.engine.sanityCheck).not.toHaveBeenCalled();
    expect(fake.engine.cancel).toHaveBeenCalledOnce();
  });

  it('does not bother the engine when nothing runs', async () => {
    await ready();
    state().cancelExplain();
    expect(fake.engine.cancel).not.toHaveBeenCalled();
  });
});

describe('a new inspection or model', () => {
  it('a new image drops the explanation, closes its bitmaps, resets the class, and asks again once ready', async () => {
    await ready();
    state().setExplainClass(285);
    void state().requestExplanation();
    await flush();
    const old = await answerExplain();

    const [other] = addImages('dog.png');
    const inspecting = state().inspectImage(other!);

    expect(old.every((m) => closed(m.bitmap))).toBe(true);
    expect(state()).toMatchObject({ explanation: null, explainClassChoice: null, explainActive: true });
    expect(fake.engine.explain).toHaveBeenCalledOnce();

    fake.inspects.at(-1)!.answer.resolve(inspectResult(207));
    await inspecting;
    await flush();
    // The new image's CAM class (its top-1, or the prediction clicked) is the one explained.
    expect(requests().at(-1)).toEqual({ method: 'gradcam', stage: 'layer4', classIndex: 207 });
  });

  it('a new image stops a running job and drops its late answer', async () => {
    await ready();
    void state().requestExplanation();
    await flush();

    const [other] = addImages('dog.png');
    void state().inspectImage(other!);
    expect(fake.engine.cancel).toHaveBeenCalledOnce();
    const late = mapsFor(fake.explains[0]!.args);
    fake.explains[0]!.answer.resolve(late);
    await flush();

    expect(late.every((m) => closed(m.bitmap))).toBe(true);
    expect(state().explanation).toBeNull();
  });

  it('a model change asks again on the same image, keeping the class and the stage where the model has it', async () => {
    await ready();
    state().setExplainStage('layer3');
    state().setExplainClass(285);
    void state().requestExplanation();
    await flush();
    await answerExplain();

    // What loadModel does once ResNet50 (stages conv2..conv5) is ready.
    store.setState({ summary: summary('resnet50', RESNET50_STAGES) });
    state().refreshInspection();
    expect(state().explanation).toBeNull();
    fake.inspects.at(-1)!.answer.resolve(inspectResult());
    await flush();

    // layer3 is not a stage of ResNet50: its last stage instead.
    expect(requests().at(-1)).toEqual({ method: 'gradcam', stage: 'conv5', classIndex: 285 });
    expect(state().explainClassChoice).toBe(285);
  });

  it('does not start explaining a new image when the user never asked', async () => {
    await ready();
    const [other] = addImages('dog.png');
    await inspectReady(other!);
    await flush();
    expect(fake.engine.explain).not.toHaveBeenCalled();
  });

  it('closing the inspector drops everything and stops following the choices', async () => {
    await ready();
    void state().requestExplanation();
    await flush();
    const maps = await answerExplain();
    void state().requestSanityCheck();
    await flush();
    const sanity = sanityResult('gradcam', [1, 0.2]);
    fake.sanityChecks[0]!.answer.resolve(sanity);
    await flush();

    state().closeInspector();

    expect(maps.every((m) => closed(m.bitmap))).toBe(true);
    expect(sanity.maps.every((m) => closed(m.bitmap))).toBe(true);
    expect(state()).toMatchObject({ explanation: null, explainSanity: null, explainActive: false });
  });
});

describe('choosing the class', () => {
  it('a top-k class button (showCam) sets the class explained, and asks again', async () => {
    await ready();
    void state().requestExplanation();
    await flush();
    await answerExplain();

    void state().showCam(285);
    await flush();

    expect(fake.cams.map((call) => call.args)).toEqual([285]);
    expect(state().explainClassChoice).toBe(285);
    expect(requests().at(-1)).toEqual({ method: 'gradcam', stage: 'layer4', classIndex: 285 });
  });

  it('any of the 1000 classes can be chosen (the search box); others are ignored', async () => {
    await ready();
    state().setExplainClass(999);
    expect(state().explainClassChoice).toBe(999);
    state().setExplainClass(1000);
    state().setExplainClass(-1);
    state().setExplainClass(2.5);
    expect(state().explainClassChoice).toBe(999);

    void state().requestExplanation();
    await flush();
    expect(requests()).toEqual([{ method: 'gradcam', stage: 'layer4', classIndex: 999 }]);
  });

  it('follows the CAM class until one is chosen', async () => {
    const [id] = addImages('cat.png');
    const inspecting = state().inspectImage(id!, 285);
    fake.inspects[0]!.answer.resolve(inspectResult(285));
    await inspecting;

    void state().requestExplanation();
    await flush();
    expect(requests()).toEqual([{ method: 'gradcam', stage: 'layer4', classIndex: 285 }]);
  });
});

describe('faithfulness', () => {
  it('measures the map shown, and stores its curves', async () => {
    await ready();
    state().setExplainMethod('gradcampp');
    state().setExplainStage('layer3');
    const measuring = state().requestFaithfulness();
    await flush();

    expect(fake.faithfulnessRuns[0]!.args).toEqual({
      methods: ['gradcampp'],
      stage: 'layer3',
      classIndex: 281,
    });
    fake.faithfulnessRuns[0]!.onProgress({ fraction: 0.25, message: 'Deleting' });
    expect(state().explainProgress).toEqual({
      lane: 'explainFaithfulness',
      progress: { fraction: 0.25, message: 'Deleting' },
    });
    const measured = curves('gradcampp', 0.1, 0.7);
    fake.faithfulnessRuns[0]!.answer.resolve([measured]);
    await measuring;

    expect(state().explainFaithfulness).toMatchObject({ status: 'done', result: measured });
  });

  it('compares every method that applies at the stage: CAM only at the last', async () => {
    await ready();
    state().setExplainStage('layer3');
    void state().compareExplainMethods();
    await flush();
    expect(fake.faithfulnessRuns[0]!.args).toEqual({
      methods: ['gradcam', 'gradcampp', 'gradcampp-eps', 'layercam', 'scorecam', 'occlusion', 'ig'],
      stage: 'layer3',
      classIndex: 281,
    });
    fake.faithfulnessRuns[0]!.answer.resolve([]);
    await flush();

    state().setExplainStage('layer4');
    const comparing = state().compareExplainMethods();
    await flush();
    expect(fake.faithfulnessRuns[1]!.args.methods).toEqual([
      'cam',
      'gradcam',
      'gradcampp',
      'gradcampp-eps',
      'layercam',
      'scorecam',
      'occlusion',
      'ig',
    ]);
    const all = [curves('cam', 0.2, 0.6), curves('gradcam', 0.1, 0.7)];
    fake.faithfulnessRuns[1]!.answer.resolve(all);
    await comparing;
    expect(state().explainComparison).toMatchObject({ status: 'done', result: all });

    expect(methodsAt('layer4', ['stem', 'layer4'])).toContain('cam');
    expect(methodsAt('stem', ['stem', 'layer4'])).not.toContain('cam');
  });

  it('is not measured for a layer sweep', async () => {
    await ready();
    state().setExplainStage('all');
    await state().requestFaithfulness();
    await state().compareExplainMethods();
    await state().requestSanityCheck();
    expect(fake.engine.faithfulness).not.toHaveBeenCalled();
    expect(fake.engine.sanityCheck).not.toHaveBeenCalled();
  });

  it('is dropped when another map is shown; the comparison only when the stage or class changes', async () => {
    await ready();
    void state().requestExplanation();
    await flush();
    await answerExplain();
    void state().requestFaithfulness();
    await flush();
    fake.faithfulnessRuns[0]!.answer.resolve([curves('gradcam', 0.1, 0.7)]);
    await flush();
    void state().compareExplainMethods();
    await flush();
    fake.faithfulnessRuns[1]!.answer.resolve([curves('gradcam', 0.1, 0.7)]);
    await flush();

    state().setExplainMethod('layercam');
    await flush();
    expect(state().explainFaithfulness).toBeNull();
    expect(state().explainComparison?.status).toBe('done');

    state().setExplainClass(285);
    await flush();
    expect(state().explainComparison).toBeNull();
  });
});

describe('sanity check', () => {
  it('runs for the method, stage and class shown, and stores the maps', async () => {
    await ready();
    state().setExplainStage('layer2');
    const checking = state().requestSanityCheck();
    await flush();

    expect(fake.sanityChecks[0]!.args).toEqual({ method: 'gradcam', stage: 'layer2', classIndex: 281 });
    const result = sanityResult('gradcam', [1, 0.3, 0.1, 0.05]);
    fake.sanityChecks[0]!.answer.resolve(result);
    await checking;

    expect(state().explainSanity).toMatchObject({ status: 'done', result });
    expect(result.maps.some((m) => closed(m.bitmap))).toBe(false);
  });

  it('closes the maps of a superseded check', async () => {
    await ready();
    void state().requestSanityCheck();
    await flush();
    void state().requestSanityCheck();
    const late = sanityResult('gradcam', [1, 0.5]);
    fake.sanityChecks[0]!.answer.resolve(late);
    await flush();

    expect(late.maps.every((m) => closed(m.bitmap))).toBe(true);
    expect(fake.engine.sanityCheck).toHaveBeenCalledTimes(2);
  });

  it('says whether the maps depend on the weights (median |rank correlation| of the randomized levels)', () => {
    expect(sanityVerdict(sanityResult('gradcam', [1, 0.3, 0.1, -0.05]))).toEqual({
      passes: true,
      medianCorrelation: 0.1,
    });
    expect(sanityVerdict(sanityResult('gradcam', [1, 0.9, 0.8, 0.95, 0.7]))).toMatchObject({ passes: false });
    expect(sanityVerdict(sanityResult('gradcam', [1, -0.9, -0.8]))?.passes).toBe(false);
    expect(sanityVerdict(sanityResult('gradcam', [1]))).toBeNull();
  });
});

describe('export', () => {
  it('is one object for a map, with the model, the weights and plain numbers', async () => {
    await ready();
    void state().requestExplanation();
    await flush();
    await answerExplain();

    expect(JSON.parse(JSON.stringify(explanationExport(state())))).toEqual({
      variant: 'resnet18',
      weights: 'resnet18.safetensors',
      method: 'gradcam',
      stage: 'layer4',
      classIndex: 281,
      height: 2,
      width: 2,
      values: [0, 0.25, 0.5, 1],
    });
  });

  it('is one object per stage, in order, for a sweep; nothing while running', async () => {
    await ready();
    state().setExplainStage('all');
    void state().requestExplanation();
    await flush();
    expect(explanationExport(state())).toBeNull();
    await answerExplain();

    const exported = explanationExport(state());
    expect(Array.isArray(exported)).toBe(true);
    expect((exported as { stage: string }[]).map((e) => e.stage)).toEqual([
      'stem',
      'layer1',
      'layer2',
      'layer3',
      'layer4',
    ]);
  });
});
