import { beforeEach, describe, expect, it } from 'vitest';

import type { NetworkGraph } from '../shared/network';
import type { BlockContributions, BlockDetail, InspectResult } from '../shared/protocol';
import { closed, fakeBitmap, fakeEngine, flush } from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { createAppStore } from './index';
import type { AppStore } from './index';

const GRAPH: NetworkGraph = {
  variant: 'resnet18',
  flavor: 'torchvision',
  totalParams: 10,
  totalMacs: 100,
  nodes: [
    { id: 'stem', kind: 'stem', stage: 'stem', outputShape: [56, 56, 64], params: 2, macs: 20, layers: [] },
    {
      id: 'layer1.0',
      kind: 'block',
      stage: 'layer1',
      outputShape: [56, 56, 64],
      params: 6,
      macs: 70,
      layers: [],
      shortcut: 'identity',
      stride: 1,
    },
    { id: 'fc', kind: 'head', stage: 'fc', outputShape: [1000], params: 2, macs: 10, layers: [] },
  ],
};

function detail(nodeId: string): BlockDetail {
  return {
    nodeId,
    contribution: { nodeId, residualRms: 1, shortcutRms: 2, outputRms: 2.5 },
    map: {
      stage: 'layer1',
      outputShape: [56, 56, 64],
      channels: 64,
      bitmap: fakeBitmap(),
      layout: { columns: 8, rows: 8, tileWidth: 56, tileHeight: 56, gap: 1, order: [] },
      stats: { min: new Float32Array(1), max: new Float32Array(1), mean: new Float32Array(1) },
      mean: 0,
      std: 1,
    },
    detailMs: 3,
  };
}

let store: AppStore;
let fake: FakeEngine;
let handle: string;

beforeEach(() => {
  fake = fakeEngine();
  store = createAppStore({ engine: fake.engine });
  handle = fake.adoptModel();
  store.setState({ modelHandle: handle });
});

async function opened(): Promise<void> {
  store.getState().openNetwork();
  const loading = store.getState().loadNetwork();
  fake.networks.at(-1)!.answer.resolve(GRAPH);
  await loading;
}

function contributions(residualRms: number): BlockContributions {
  return {
    contributions: [{ nodeId: 'layer1.0', residualRms, shortcutRms: 2, outputRms: 2.5 }],
    contributionsMs: 9,
  };
}

/** An image looked inside (the block detail is about it). */
async function inspected(name = 'cat.png'): Promise<string> {
  store.getState().addImages([new File(['x'], name, { type: 'image/png' })]);
  const id = store.getState().images.at(-1)!.id;
  const inspecting = store.getState().inspectImage(id);
  fake.inspects.at(-1)!.answer.resolve({
    input: fakeBitmap(),
    stages: [],
    predictions: [{ classIndex: 1, label: 'a', synonyms: 'a', probability: 1 }],
    cam: { classIndex: 1, bitmap: fakeBitmap() },
    inspectMs: 1,
    decoded: true,
  } satisfies InspectResult);
  await inspecting;
  return id;
}

describe('the Network view', () => {
  it("reads the active model's graph by its handle, once", async () => {
    await opened();
    expect(fake.networks.map((c) => c.args)).toEqual([handle]);
    expect(store.getState()).toMatchObject({ networkOpen: true, network: GRAPH, networkHandle: handle });
    await store.getState().loadNetwork();
    expect(fake.networks).toHaveLength(1);
  });

  it('reads the graph again for a new model, and drops an answer a newer model superseded', async () => {
    await opened();
    store.setState({ modelHandle: 'other' });
    const first = store.getState().loadNetwork();
    store.setState({ modelHandle: 'third' });
    const second = store.getState().loadNetwork();
    fake.networks[2]!.answer.resolve({ ...GRAPH, variant: 'resnet34' });
    fake.networks[1]!.answer.resolve({ ...GRAPH, variant: 'resnet50' });
    await Promise.all([first, second]);
    expect(store.getState()).toMatchObject({ networkHandle: 'third', network: { variant: 'resnet34' } });
  });

  it('opening the view over an image already looked inside asks for its blocks at once, before any click', async () => {
    await inspected();
    await opened();
    expect(fake.blockContributionCalls).toHaveLength(1);
    expect(store.getState().blockContributionsStatus).toBe('running');
    fake.blockContributionCalls[0]!.answer.resolve(contributions(1));
    await flush();
    expect(store.getState()).toMatchObject({ blockContributionsStatus: 'done', selectedNode: null });
    // Closed and opened again over the same image: asked again (closing let the values go).
    store.getState().closeNetwork();
    store.getState().openNetwork();
    expect(fake.blockContributionCalls).toHaveLength(2);
  });

  it('opening the view with no image looked inside asks the engine for nothing but the graph', async () => {
    await opened();
    expect(fake.blockContributionCalls).toHaveLength(0);
  });

  it('expands and collapses a block', async () => {
    await opened();
    store.getState().toggleBlock('layer1.0');
    expect(store.getState().expandedBlocks).toEqual(['layer1.0']);
    store.getState().toggleBlock('layer1.0');
    expect(store.getState().expandedBlocks).toEqual([]);
  });

  it('selects a block without asking for its detail while no image is looked inside', async () => {
    await opened();
    await store.getState().selectNode('layer1.0');
    expect(store.getState()).toMatchObject({ selectedNode: 'layer1.0', blockDetailStatus: 'idle' });
    expect(fake.blockDetails).toHaveLength(0);
  });

  it("asks for a block's detail about the image looked inside, and closes the bitmaps it replaces", async () => {
    await opened();
    const imageId = await inspected();
    const selecting = store.getState().selectNode('layer1.0');
    expect(store.getState().blockDetailStatus).toBe('running');
    expect(fake.blockDetails[0]!.args).toEqual({ handle, imageId, nodeId: 'layer1.0' });
    const first = detail('layer1.0');
    fake.blockDetails[0]!.answer.resolve(first);
    await selecting;
    expect(store.getState()).toMatchObject({ blockDetail: first, blockDetailStatus: 'done' });

    // A newer selection supersedes one still running: its late answer is dropped, its bitmap closed.
    const stale = store.getState().selectNode('layer1.0');
    expect(closed(first.map.bitmap)).toBe(true);
    const newer = store.getState().selectNode('layer1.0');
    const late = detail('layer1.0');
    fake.blockDetails[1]!.answer.resolve(late);
    fake.blockDetails[2]!.answer.resolve(detail('layer1.0'));
    await Promise.all([stale, newer]);
    expect(closed(late.map.bitmap)).toBe(true);
    expect(store.getState().blockDetail).not.toBe(late);

    const shown = store.getState().blockDetail!;
    store.getState().closeNetwork();
    expect(closed(shown.map.bitmap)).toBe(true);
    expect(store.getState()).toMatchObject({ networkOpen: false, blockDetail: null, selectedNode: null });
  });

  it('asks again for the selected block once an image is looked inside, and drops it when Look inside closes', async () => {
    await opened();
    await store.getState().selectNode('layer1.0');
    const imageId = await inspected();
    expect(fake.blockDetails.map((c) => c.args)).toEqual([{ handle, imageId, nodeId: 'layer1.0' }]);
    const shown = detail('layer1.0');
    fake.blockDetails[0]!.answer.resolve(shown);
    await flush();
    expect(store.getState().blockDetail).toBe(shown);
    store.getState().closeInspector();
    expect(store.getState()).toMatchObject({
      selectedNode: 'layer1.0',
      blockDetail: null,
      blockDetailStatus: 'idle',
    });
    expect(closed(shown.map.bitmap)).toBe(true);
  });

  it("reads the weights of the graph's model on demand, and forgets them for another model", async () => {
    await opened();
    const reading = store.getState().loadWeightStats();
    expect(store.getState().weightStatsStatus).toBe('running');
    const stats = {
      stemKernel: { data: new Float32Array(1), shape: [1, 1, 1, 1] as [number, number, number, number] },
      histograms: [],
    };
    fake.weightStatsCalls[0]!.answer.resolve(stats);
    await reading;
    expect(fake.weightStatsCalls[0]!.args).toBe(handle);
    expect(store.getState()).toMatchObject({ weightStats: stats, weightStatsStatus: 'done' });
    store.setState({ modelHandle: 'other' });
    const loading = store.getState().loadNetwork();
    expect(store.getState()).toMatchObject({ weightStats: null, weightStatsStatus: 'idle' });
    fake.networks.at(-1)!.answer.resolve(GRAPH);
    await loading;
  });

  it('asks for Grad-CAM at the selected block for the class Look inside maps, and drops it with the detail', async () => {
    await opened();
    await inspected();
    const selecting = store.getState().selectNode('layer1.0');
    fake.blockDetails[0]!.answer.resolve(detail('layer1.0'));
    await selecting;
    const asking = store.getState().showBlockCam();
    expect(store.getState().blockCamStatus).toBe('running');
    expect(fake.blockCams[0]!.args).toEqual({ nodeId: 'layer1.0', classIndex: 1 });
    const cam = { classIndex: 1, bitmap: fakeBitmap() };
    fake.blockCams[0]!.answer.resolve(cam);
    await asking;
    expect(store.getState()).toMatchObject({ blockCam: cam, blockCamStatus: 'done' });
    // Another block: the map was this one's.
    void store.getState().selectNode('layer1.0');
    expect(closed(cam.bitmap)).toBe(true);
    expect(store.getState()).toMatchObject({ blockCam: null, blockCamStatus: 'idle' });
  });

  it("asks for the chart's values on their own once the detail has come, once per model and image", async () => {
    await opened();
    const imageId = await inspected();
    const selecting = store.getState().selectNode('layer1.0');
    // The detail is asked for alone: it waits for its own block, not for every block's.
    expect(fake.blockContributionCalls).toHaveLength(0);
    fake.blockDetails[0]!.answer.resolve(detail('layer1.0'));
    await selecting;
    expect(store.getState()).toMatchObject({
      blockDetailStatus: 'done',
      blockContributionsStatus: 'running',
    });
    expect(fake.blockContributionCalls.map((c) => c.args)).toEqual([{ handle, imageId }]);
    const values = contributions(1);
    fake.blockContributionCalls[0]!.answer.resolve(values);
    await flush();
    expect(store.getState()).toMatchObject({
      blockContributions: values.contributions,
      blockContributionsMs: 9,
      blockContributionsStatus: 'done',
    });

    // Another block of the same image: its detail only; the chart stays.
    const again = store.getState().selectNode('layer1.0');
    expect(store.getState().blockContributions).toBe(values.contributions);
    fake.blockDetails[1]!.answer.resolve(detail('layer1.0'));
    await again;
    expect(fake.blockContributionCalls).toHaveLength(1);
    expect(store.getState().blockContributions).toBe(values.contributions);
  });

  it("drops the chart's values for another image, and an answer that image superseded", async () => {
    await opened();
    await inspected();
    const selecting = store.getState().selectNode('layer1.0');
    fake.blockDetails[0]!.answer.resolve(detail('layer1.0'));
    await selecting;
    // Another image looked inside before the chart's values came: the block follows it, and the chart too.
    const other = await inspected('dog.png');
    expect(store.getState()).toMatchObject({ blockContributions: null, blockContributionsStatus: 'idle' });
    fake.blockContributionCalls[0]!.answer.resolve(contributions(1));
    await flush();
    expect(store.getState().blockContributions).toBeNull();
    fake.blockDetails[1]!.answer.resolve(detail('layer1.0'));
    await flush();
    expect(fake.blockContributionCalls[1]!.args).toEqual({ handle, imageId: other });
    fake.blockContributionCalls[1]!.answer.resolve(contributions(3));
    await flush();
    expect(store.getState().blockContributions).toEqual(contributions(3).contributions);
    store.getState().closeNetwork();
    expect(store.getState()).toMatchObject({ blockContributions: null, blockContributionsStatus: 'idle' });
  });

  it("says the chart's values failed, and asks again with the next detail", async () => {
    await opened();
    await inspected();
    const selecting = store.getState().selectNode('layer1.0');
    fake.blockDetails[0]!.answer.resolve(detail('layer1.0'));
    await selecting;
    fake.blockContributionCalls[0]!.answer.reject(new Error('lost'));
    await flush();
    expect(store.getState()).toMatchObject({ blockContributionsStatus: 'error', blockDetailStatus: 'done' });
    const again = store.getState().selectNode('layer1.0');
    fake.blockDetails[1]!.answer.resolve(detail('layer1.0'));
    await again;
    expect(fake.blockContributionCalls).toHaveLength(2);
    expect(store.getState().blockContributionsStatus).toBe('running');
  });

  it('says why a detail failed', async () => {
    await opened();
    await inspected();
    const selecting = store.getState().selectNode('layer1.0');
    fake.blockDetails[0]!.answer.reject(new Error('no such block'));
    await selecting;
    expect(store.getState()).toMatchObject({ blockDetailStatus: 'error', blockDetailError: 'no such block' });
  });
});
