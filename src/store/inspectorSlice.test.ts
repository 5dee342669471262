import { beforeEach, describe, expect, it } from 'vitest';

import type { CamAnswer, CamRender, InspectResult, StageRender } from '../shared/protocol';
import type { StageName } from '../shared/variants';
import { closed, fakeBitmap, fakeEngine, flush } from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { createAppStore } from './index';
import type { AppStore } from './index';

function stage(name: StageName): StageRender {
  const stats = { min: new Float32Array(1), max: new Float32Array(1), mean: new Float32Array(1) };
  return {
    stage: name,
    outputShape: [56, 56, 64],
    channels: 64,
    bitmap: fakeBitmap(),
    layout: { columns: 8, rows: 8, tileWidth: 56, tileHeight: 56, gap: 1, order: [] },
    stats,
    mean: 0,
    std: 1,
  };
}

/** What the engine answers for a CAM: the map and the predictions it maps. */
function camAnswer(cam: CamRender): CamAnswer {
  return { cam, predictions: [] };
}

function camRender(classIndex: number): CamRender {
  return { classIndex, bitmap: fakeBitmap() };
}

const INSPECT_MEMORY = { numTensors: 42, numBytes: 4200 };

function inspectResult(camClass = 281): InspectResult {
  return {
    input: fakeBitmap(),
    stages: [stage('stem'), stage('layer1'), stage('layer4')],
    predictions: [{ classIndex: 281, label: 'tabby', synonyms: 'tabby, tabby cat', probability: 0.9 }],
    cam: camRender(camClass),
    inspectMs: 12,
    decoded: true,
  };
}

/** Every bitmap of an inspection result. */
const bitmapsOf = (r: InspectResult) => [r.input, r.cam.bitmap, ...r.stages.map((s) => s.bitmap)];

let store: AppStore;
let fake: FakeEngine;

beforeEach(async () => {
  // A fresh store and engine reference per test, built as the app builds it. No model is ready, so the
  // classification queue holds the images and leaves the engine to the inspector.
  fake = fakeEngine();
  store = createAppStore({ engine: fake.engine });
  store.setState({ modelHandle: fake.adoptModel() });
});

/** Adds images named by `names`; returns their ids. */
function addImages(...names: string[]): string[] {
  const before = store.getState().images.length;
  store.getState().addImages(names.map((name) => new File([name], name, { type: 'image/png' })));
  return store
    .getState()
    .images.slice(before)
    .map((i) => i.id);
}

/** Inspects `id` and answers with `result`; resolves once the store applied it. */
async function inspectReady(id: string, result = inspectResult()): Promise<InspectResult> {
  const inspecting = store.getState().inspectImage(id);
  fake.inspects.at(-1)!.answer.resolve(result);
  await inspecting;
  return result;
}

describe('inspectImage', () => {
  it('asks the engine about that image and shows the inspection and its CAM', async () => {
    const [id] = addImages('cat.png');
    const image = store.getState().images[0]!;

    const inspecting = store.getState().inspectImage(id!);

    expect(store.getState()).toMatchObject({ inspectedImageId: id, inspectStatus: 'loading' });
    expect(fake.engine.inspect).toHaveBeenCalledExactlyOnceWith(
      store.getState().modelHandle,
      { id, blob: image.file },
      { normalization: 'channel', colormap: 'viridis', order: 'index' },
      undefined,
      false,
    );

    const result = inspectResult();
    // The engine reports its memory on its event channel after each request; the badge follows it.
    fake.emit({ type: 'memory', memory: INSPECT_MEMORY });
    fake.inspects[0]!.answer.resolve(result);
    await inspecting;

    const { cam, ...inspection } = result;
    expect(store.getState()).toMatchObject({
      inspectedImageId: id,
      inspectStatus: 'ready',
      inspectError: null,
      inspection,
      cam,
      memory: INSPECT_MEMORY,
    });
    expect(bitmapsOf(result).some(closed)).toBe(false);
  });

  it('asks for the CAM of the class named', async () => {
    const [id] = addImages('cat.png');

    void store.getState().inspectImage(id!, 285);

    expect(fake.inspects[0]!.args[2]).toBe(285);
  });

  it("asks for every block's values too only while the Network view is open", async () => {
    const [first, second] = addImages('cat.png', 'dog.png');

    void store.getState().inspectImage(first!);
    store.getState().openNetwork();
    void store.getState().inspectImage(second!);

    expect(fake.inspects.map((call) => call.args[3])).toEqual([false, true]);
  });

  it('ignores an image that is not in the store', async () => {
    await store.getState().inspectImage('img-nope');

    expect(fake.engine.inspect).not.toHaveBeenCalled();
    expect(store.getState().inspectStatus).toBe('idle');
  });

  it('applies only the newest answer when an older one arrives last, closing the older bitmaps', async () => {
    const [a, b] = addImages('a.png', 'b.png');
    const first = store.getState().inspectImage(a!);
    const second = store.getState().inspectImage(b!);
    const older = inspectResult();
    const newer = inspectResult();

    fake.inspects[1]!.answer.resolve(newer);
    await second;
    fake.inspects[0]!.answer.resolve(older);
    await first;

    expect(store.getState()).toMatchObject({ inspectedImageId: b, inspectStatus: 'ready', cam: newer.cam });
    expect(store.getState().inspection?.input).toBe(newer.input);
    expect(bitmapsOf(older).every(closed)).toBe(true);
    expect(bitmapsOf(newer).some(closed)).toBe(false);
  });

  it('ignores an older answer that arrives first, and keeps waiting for the newest', async () => {
    const [a, b] = addImages('a.png', 'b.png');
    const first = store.getState().inspectImage(a!);
    const second = store.getState().inspectImage(b!);
    const older = inspectResult();
    const newer = inspectResult();

    fake.inspects[0]!.answer.resolve(older);
    await first;

    expect(store.getState()).toMatchObject({
      inspectedImageId: b,
      inspectStatus: 'loading',
      inspection: null,
    });
    expect(bitmapsOf(older).every(closed)).toBe(true);

    fake.inspects[1]!.answer.resolve(newer);
    await second;
    expect(store.getState().inspection?.input).toBe(newer.input);
    expect(bitmapsOf(newer).some(closed)).toBe(false);
  });

  it('closes the bitmaps of the inspection it replaces', async () => {
    const [a, b] = addImages('a.png', 'b.png');
    const old = await inspectReady(a!);

    const replacement = await inspectReady(b!);

    expect(bitmapsOf(old).every(closed)).toBe(true);
    expect(bitmapsOf(replacement).some(closed)).toBe(false);
  });

  it('on the image already shown, with a class, only redraws the CAM', async () => {
    const [id] = addImages('cat.png');
    await inspectReady(id!);

    const showing = store.getState().inspectImage(id!, 7);
    expect(fake.engine.cam).toHaveBeenCalledExactlyOnceWith(
      store.getState().modelHandle,
      { id, blob: expect.any(Blob) },
      7,
    );
    fake.cams[0]!.answer.resolve(camAnswer(camRender(7)));
    await showing;

    expect(fake.engine.inspect).toHaveBeenCalledOnce();
    expect(store.getState().cam?.classIndex).toBe(7);
  });

  it('sets inspectStatus error with the engine message when the engine fails', async () => {
    const [id] = addImages('cat.png');
    const inspecting = store.getState().inspectImage(id!);

    fake.inspects[0]!.answer.reject(new Error('No model is loaded yet.'));
    await inspecting;

    expect(store.getState()).toMatchObject({
      inspectedImageId: id,
      inspectStatus: 'error',
      inspectError: 'No model is loaded yet.',
    });
  });

  it('ignores the failure of a request that a newer one superseded', async () => {
    const [a, b] = addImages('a.png', 'b.png');
    const first = store.getState().inspectImage(a!);
    const second = store.getState().inspectImage(b!);

    fake.inspects[0]!.answer.reject(new Error('decode failed'));
    await first;
    fake.inspects[1]!.answer.resolve(inspectResult());
    await second;

    expect(store.getState()).toMatchObject({
      inspectedImageId: b,
      inspectStatus: 'ready',
      inspectError: null,
    });
  });

  it('clears the previous error when a new inspection starts', async () => {
    const [id] = addImages('cat.png');
    const failing = store.getState().inspectImage(id!);
    fake.inspects[0]!.answer.reject(new Error('boom'));
    await failing;

    void store.getState().inspectImage(id!);

    expect(store.getState()).toMatchObject({ inspectStatus: 'loading', inspectError: null });
  });
});

describe('showCam', () => {
  it('replaces the CAM and closes the old bitmap', async () => {
    const [id] = addImages('cat.png');
    const result = await inspectReady(id!);

    const showing = store.getState().showCam(3);
    const cam = camRender(3);
    fake.cams[0]!.answer.resolve(camAnswer(cam));
    await showing;

    expect(store.getState().cam).toBe(cam);
    expect(closed(result.cam.bitmap)).toBe(true);
    expect(closed(cam.bitmap)).toBe(false);
    expect([result.input, ...result.stages.map((s) => s.bitmap)].some(closed)).toBe(false);
  });

  it('closes the bitmap of a CAM that a newer request superseded', async () => {
    const [id] = addImages('cat.png');
    await inspectReady(id!);
    const first = store.getState().showCam(3);
    const second = store.getState().showCam(4);
    const older = camRender(3);
    const newer = camRender(4);

    fake.cams[1]!.answer.resolve(camAnswer(newer));
    await second;
    fake.cams[0]!.answer.resolve(camAnswer(older));
    await first;

    expect(store.getState().cam).toBe(newer);
    expect(closed(older.bitmap)).toBe(true);
    expect(closed(newer.bitmap)).toBe(false);
  });

  it('does nothing until an inspection is ready', async () => {
    const [id] = addImages('cat.png');
    void store.getState().inspectImage(id!);

    await store.getState().showCam(3);

    expect(fake.engine.cam).not.toHaveBeenCalled();
  });

  it('sets inspectStatus error with the engine message when the engine fails', async () => {
    const [id] = addImages('cat.png');
    await inspectReady(id!);
    const showing = store.getState().showCam(3);

    fake.cams[0]!.answer.reject(new Error('No image is being inspected with the current model.'));
    await showing;

    expect(store.getState()).toMatchObject({
      inspectStatus: 'error',
      inspectError: 'No image is being inspected with the current model.',
    });
  });
});

describe('setFeatureMapOptions', () => {
  it('redraws the stages when an inspection is ready, closing the old stage bitmaps', async () => {
    const [id] = addImages('cat.png');
    const result = await inspectReady(id!);

    const redrawing = store.getState().setFeatureMapOptions({ colormap: 'magma' });
    const options = { normalization: 'channel', colormap: 'magma', order: 'index' };
    expect(store.getState().featureMapOptions).toEqual(options);
    expect(fake.engine.renderFeatureMaps).toHaveBeenCalledExactlyOnceWith(
      store.getState().modelHandle,
      { id, blob: expect.any(Blob) },
      options,
    );
    const stages = [stage('stem'), stage('layer1'), stage('layer4')];
    fake.redraws[0]!.answer.resolve(stages);
    await redrawing;

    expect(store.getState().inspection?.stages).toBe(stages);
    expect(store.getState().inspection?.input).toBe(result.input);
    expect(store.getState().cam).toBe(result.cam);
    expect(result.stages.every((s) => closed(s.bitmap))).toBe(true);
    expect([result.input, result.cam.bitmap].some(closed)).toBe(false);
    expect(stages.some((s) => closed(s.bitmap))).toBe(false);
  });

  it('only stores the options while nothing is inspected', async () => {
    await store.getState().setFeatureMapOptions({ normalization: 'stage', order: 'mean' });

    expect(store.getState().featureMapOptions).toEqual({
      normalization: 'stage',
      colormap: 'viridis',
      order: 'mean',
    });
    expect(fake.engine.renderFeatureMaps).not.toHaveBeenCalled();
  });

  it('only stores the options while an inspection is loading, then redraws with them once it is ready', async () => {
    const [id] = addImages('cat.png');
    const inspecting = store.getState().inspectImage(id!);

    await store.getState().setFeatureMapOptions({ colormap: 'gray' });
    expect(fake.engine.renderFeatureMaps).not.toHaveBeenCalled();

    const result = inspectResult();
    fake.inspects[0]!.answer.resolve(result);
    await flush();
    expect(fake.redraws.map((call) => call.args)).toEqual([
      { normalization: 'channel', colormap: 'gray', order: 'index' },
    ]);
    const stages = [stage('stem')];
    fake.redraws[0]!.answer.resolve(stages);
    await inspecting;

    expect(store.getState().inspection?.stages).toBe(stages);
    expect(result.stages.every((s) => closed(s.bitmap))).toBe(true);
  });

  it('closes the stages of a redraw that a newer one superseded', async () => {
    const [id] = addImages('cat.png');
    await inspectReady(id!);
    const first = store.getState().setFeatureMapOptions({ colormap: 'magma' });
    const second = store.getState().setFeatureMapOptions({ colormap: 'turbo' });
    const older = [stage('stem')];
    const newer = [stage('stem')];

    fake.redraws[1]!.answer.resolve(newer);
    await second;
    fake.redraws[0]!.answer.resolve(older);
    await first;

    expect(store.getState().featureMapOptions.colormap).toBe('turbo');
    expect(store.getState().inspection?.stages).toBe(newer);
    expect(closed(older[0]!.bitmap)).toBe(true);
    expect(closed(newer[0]!.bitmap)).toBe(false);
  });

  it('sets inspectStatus error with the engine message when the redraw fails', async () => {
    const [id] = addImages('cat.png');
    await inspectReady(id!);
    const redrawing = store.getState().setFeatureMapOptions({ colormap: 'magma' });

    fake.redraws[0]!.answer.reject(new Error('context lost'));
    await redrawing;

    expect(store.getState()).toMatchObject({ inspectStatus: 'error', inspectError: 'context lost' });
  });
});

describe('a CAM and a feature-map redraw at once', () => {
  it('applies both when the colormap changes while a CAM is on its way', async () => {
    const [id] = addImages('cat.png');
    const result = await inspectReady(id!);

    const showing = store.getState().showCam(5);
    const redrawing = store.getState().setFeatureMapOptions({ colormap: 'magma' });
    const cam = camRender(5);
    const stages = [stage('stem'), stage('layer1'), stage('layer4')];
    fake.cams[0]!.answer.resolve(camAnswer(cam));
    fake.redraws[0]!.answer.resolve(stages);
    await Promise.all([showing, redrawing]);

    expect(store.getState().cam).toBe(cam);
    expect(store.getState().inspection?.stages).toBe(stages);
    expect(store.getState()).toMatchObject({ inspectStatus: 'ready', inspectError: null });
    expect([cam.bitmap, ...stages.map((s) => s.bitmap)].some(closed)).toBe(false);
    expect([result.cam.bitmap, ...result.stages.map((s) => s.bitmap)].every(closed)).toBe(true);
  });

  it('applies both when a CAM is asked for while a redraw is on its way', async () => {
    const [id] = addImages('cat.png');
    const result = await inspectReady(id!);

    const redrawing = store.getState().setFeatureMapOptions({ colormap: 'magma' });
    const showing = store.getState().showCam(5);
    const cam = camRender(5);
    const stages = [stage('stem'), stage('layer1'), stage('layer4')];
    // Answered in the other order than asked.
    fake.cams[0]!.answer.resolve(camAnswer(cam));
    fake.redraws[0]!.answer.resolve(stages);
    await Promise.all([redrawing, showing]);

    expect(store.getState().cam).toBe(cam);
    expect(store.getState().inspection?.stages).toBe(stages);
    expect([cam.bitmap, ...stages.map((s) => s.bitmap)].some(closed)).toBe(false);
    expect([result.cam.bitmap, ...result.stages.map((s) => s.bitmap)].every(closed)).toBe(true);
  });

  it('drops, and closes, a CAM and a redraw that arrive after a new inspection started', async () => {
    const [a, b] = addImages('a.png', 'b.png');
    const result = await inspectReady(a!);
    const showing = store.getState().showCam(5);
    const redrawing = store.getState().setFeatureMapOptions({ colormap: 'magma' });
    const inspecting = store.getState().inspectImage(b!);

    const lateCam = camRender(5);
    const lateStages = [stage('stem')];
    fake.cams[0]!.answer.resolve(camAnswer(lateCam));
    fake.redraws[0]!.answer.resolve(lateStages);
    await Promise.all([showing, redrawing]);

    expect(closed(lateCam.bitmap)).toBe(true);
    expect(closed(lateStages[0]!.bitmap)).toBe(true);
    expect(store.getState().cam).toBe(result.cam);
    expect(store.getState().inspection?.stages).toBe(result.stages);
    expect(store.getState()).toMatchObject({ inspectedImageId: b, inspectStatus: 'loading' });

    const newer = inspectResult();
    fake.inspects[1]!.answer.resolve(newer);
    await inspecting;

    expect(store.getState().cam).toBe(newer.cam);
    expect(store.getState().inspection?.stages).toBe(newer.stages);
    expect(bitmapsOf(newer).some(closed)).toBe(false);
    expect(bitmapsOf(result).every(closed)).toBe(true);
  });
});

describe('closeInspector', () => {
  it('closes every bitmap and resets the inspector', async () => {
    const [id] = addImages('cat.png');
    const result = await inspectReady(id!);
    store.getState().zoomTile({ stage: 'layer1', channel: 3 });

    store.getState().closeInspector();

    expect(bitmapsOf(result).every(closed)).toBe(true);
    expect(store.getState()).toMatchObject({
      inspectedImageId: null,
      inspection: null,
      cam: null,
      inspectStatus: 'idle',
      zoomedTile: null,
    });
  });

  it('drops, and closes, an answer still on its way', async () => {
    const [id] = addImages('cat.png');
    const inspecting = store.getState().inspectImage(id!);

    store.getState().closeInspector();
    const late = inspectResult();
    fake.inspects[0]!.answer.resolve(late);
    await inspecting;

    expect(bitmapsOf(late).every(closed)).toBe(true);
    expect(store.getState()).toMatchObject({
      inspectedImageId: null,
      inspection: null,
      inspectStatus: 'idle',
    });
  });

  it('happens when the inspected image is removed, and not when another one is', async () => {
    const [a, b] = addImages('a.png', 'b.png');
    const result = await inspectReady(a!);

    store.getState().removeImage(b!);
    expect(store.getState()).toMatchObject({ inspectedImageId: a, inspectStatus: 'ready' });
    expect(bitmapsOf(result).some(closed)).toBe(false);

    store.getState().removeImage(a!);
    expect(store.getState()).toMatchObject({
      inspectedImageId: null,
      inspection: null,
      inspectStatus: 'idle',
    });
    expect(bitmapsOf(result).every(closed)).toBe(true);
  });

  it('happens when all images are cleared', async () => {
    const [id] = addImages('cat.png');
    const result = await inspectReady(id!);

    store.getState().clearImages();

    expect(store.getState().inspectedImageId).toBeNull();
    expect(bitmapsOf(result).every(closed)).toBe(true);
  });
});

describe('refreshInspection', () => {
  it('inspects the image again with a full pass, keeping the CAM class shown, never only redrawing the CAM', async () => {
    const [id] = addImages('cat.png');
    const image = store.getState().images[0]!;
    const result = await inspectReady(id!);
    const showing = store.getState().showCam(5);
    const shown = camRender(5);
    fake.cams[0]!.answer.resolve(camAnswer(shown));
    await showing;

    // What loadModel does once a new model (or a restarted engine) is ready.
    store.getState().refreshInspection();

    expect(fake.engine.inspect).toHaveBeenCalledTimes(2);
    expect(fake.engine.inspect).toHaveBeenLastCalledWith(
      store.getState().modelHandle,
      { id, blob: image.file },
      { normalization: 'channel', colormap: 'viridis', order: 'index' },
      5,
      false,
    );
    expect(fake.engine.cam).toHaveBeenCalledOnce();
    expect(store.getState()).toMatchObject({ inspectedImageId: id, inspectStatus: 'loading' });

    const fresh = inspectResult(5);
    fake.inspects[1]!.answer.resolve(fresh);
    await flush();

    expect(store.getState()).toMatchObject({ inspectedImageId: id, inspectStatus: 'ready', cam: fresh.cam });
    expect(store.getState().inspection?.input).toBe(fresh.input);
    expect(bitmapsOf(fresh).some(closed)).toBe(false);
    expect(bitmapsOf(result).every(closed)).toBe(true);
    expect(closed(shown.bitmap)).toBe(true);
  });
});

describe('view settings', () => {
  it('keeps the CAM opacity between 0 and 1', () => {
    store.getState().setCamOpacity(0.3);
    expect(store.getState().camOpacity).toBe(0.3);
    store.getState().setCamOpacity(1.5);
    expect(store.getState().camOpacity).toBe(1);
    store.getState().setCamOpacity(-2);
    expect(store.getState().camOpacity).toBe(0);
  });

  it('a new inspection un-zooms the enlarged tile', async () => {
    const [a, b] = addImages('a.png', 'b.png');
    await inspectReady(a!);
    store.getState().zoomTile({ stage: 'layer4', channel: 10 });
    expect(store.getState().zoomedTile).toEqual({ stage: 'layer4', channel: 10 });

    await inspectReady(b!);

    expect(store.getState().zoomedTile).toBeNull();
  });
});
