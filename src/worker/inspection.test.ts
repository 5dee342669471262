/**
 * What a block's detail and the ratio chart run for one image looked inside: nothing after a Look inside pass that
 * gave every block's values and output; otherwise a detail only its own block's stage up to the block, the chart
 * every stage not yet wholly measured, once, and what either measured serves the other.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { Classifier, StageActivation } from '../model/classifier';
import type { ActivationMap } from '../model/featureMaps';
import type { NetworkNode } from '../shared/network';
import type { FeatureMapOptions, StageRender } from '../shared/protocol';
import { Inspection } from './inspection';

// Drawing needs an OffscreenCanvas (a worker's): the test looks at which map would be drawn, not at pixels.
vi.mock('./drawInspection', () => ({
  drawStages: vi.fn((stages: readonly StageActivation[]) =>
    stages.map((s) => ({ stage: s.stage, drawn: s.map }) as unknown as StageRender),
  ),
  drawCam: vi.fn(),
  drawMap: vi.fn(),
}));

const OPTIONS: FeatureMapOptions = { normalization: 'channel', colormap: 'viridis', order: 'index' };

const block = (id: string, stage: string): NetworkNode => ({
  id,
  kind: 'block',
  stage,
  outputShape: [1, 1, 1],
  params: 0,
  macs: 0,
  layers: [],
});

const NODES: NetworkNode[] = [
  { ...block('stem', 'stem'), kind: 'stem' },
  block('a.0', 'a'),
  block('a.1', 'a'),
  block('b.0', 'b'),
  block('b.1', 'b'),
  block('b.2', 'b'),
  { ...block('fc', 'fc'), kind: 'head' },
];
const SIZES = [2, 3];

const map = (label: number): ActivationMap => ({
  data: new Float32Array([label]),
  height: 1,
  width: 1,
  channels: 1,
});
/** A block's made-up values: which stage and block they are, so a mix-up shows. */
const rms = (stage: number, index: number) => ({
  residualRms: 10 * stage + index + 1,
  shortcutRms: 1,
  outputRms: 2,
});

let runs: { input: ActivationMap; stage: number; keep: number | null }[];
let inspection: Inspection;
/** The same image as a Look inside pass gives it: every block's output and values (a stage's last is its output). */
let withBlocks: Inspection;
const given = (stage: number, index: number) => ({ ...rms(stage, index), shortcutRms: 5 });
const BLOCKS = [
  [map(200), map(101)],
  [map(210), map(211), map(102)],
].map((outputs, s) => outputs.map((output, i) => ({ output, values: given(s, i) })));
const STAGES: StageActivation[] = [
  { stage: 'stem', map: map(100) },
  { stage: 'layer1', map: map(101) },
  { stage: 'layer2', map: map(102) },
];

beforeEach(() => {
  runs = [];
  const classifier = {
    architecture: () => ({
      variant: 'resnet18',
      flavor: 'torchvision',
      nodes: NODES,
      totalParams: 0,
      totalMacs: 0,
    }),
    stageBlocks: vi.fn(async (input: ActivationMap, stage: number, keep: number | null) => {
      runs.push({ input, stage, keep });
      const count = keep === null ? SIZES[stage]! : keep + 1;
      return {
        blocks: Array.from({ length: count }, (_, i) => rms(stage, i)),
        kept: keep === null ? null : map(1000 + 10 * stage + keep),
      };
    }),
  };
  // Only what an inspection asks of its classifier for blocks; the rest of the interface is never reached here.
  inspection = new Inspection(classifier as unknown as Classifier, STAGES, new Uint8ClampedArray(4), []);
  withBlocks = new Inspection(
    classifier as unknown as Classifier,
    STAGES,
    new Uint8ClampedArray(4),
    [],
    BLOCKS,
  );
});

/** The map a detail drew (the mock keeps it). */
const drawn = (render: StageRender) => (render as unknown as { drawn: ActivationMap }).drawn.data[0];

describe('Inspection: block details and the ratio chart', () => {
  it("runs a detail's stage from the kept output of the stage before it, up to its block only", async () => {
    const detail = await inspection.blockDetail('b.1', OPTIONS);
    expect(runs).toEqual([{ input: STAGES[1]!.map, stage: 1, keep: 1 }]);
    expect(detail.contribution).toEqual({ nodeId: 'b.1', ...rms(1, 1) });
    expect(drawn(detail.map)).toBe(1011);
  });

  it('measures for the chart every stage not wholly known, once, and names each block', async () => {
    await inspection.blockDetail('b.1', OPTIONS);
    const all = await inspection.blockContributions();
    expect(runs.slice(1).map((r) => [r.stage, r.keep])).toEqual([
      [0, null],
      [1, null],
    ]);
    expect(all.map((c) => c.nodeId)).toEqual(['a.0', 'a.1', 'b.0', 'b.1', 'b.2']);
    expect(all[4]).toEqual({ nodeId: 'b.2', ...rms(1, 2) });
    expect(await inspection.blockContributions()).toEqual(all);
    expect(runs).toHaveLength(3);
  });

  it("takes a stage the last block's detail ran whole, and not again", async () => {
    await inspection.blockDetail('b.2', OPTIONS);
    await inspection.blockContributions();
    expect(runs.map((r) => [r.stage, r.keep])).toEqual([
      [1, 2],
      [0, null],
    ]);
  });

  it("draws a stage's last block from the stage's kept output once its values are known, with no run", async () => {
    await inspection.blockContributions();
    const before = runs.length;
    const last = await inspection.blockDetail('a.1', OPTIONS);
    expect(runs).toHaveLength(before);
    expect(last.contribution).toEqual({ nodeId: 'a.1', ...rms(0, 1) });
    expect(drawn(last.map)).toBe(101);
    // Not the last: its output is inside the stage, so the stage runs up to it.
    const first = await inspection.blockDetail('a.0', OPTIONS);
    expect(runs.slice(before).map((r) => [r.stage, r.keep])).toEqual([[0, 0]]);
    expect(drawn(first.map)).toBe(1000);
  });

  it('names no block the model lacks', async () => {
    await expect(inspection.blockDetail('c.0', OPTIONS)).rejects.toThrow(RangeError);
  });
});

describe('Inspection: block details after a pass that gave every block', () => {
  it("runs nothing for any block's detail or the chart: it draws the kept output", async () => {
    for (const [id, stage, index, drawnMap] of [
      ['a.0', 0, 0, 200],
      ['b.1', 1, 1, 211],
      ['b.2', 1, 2, 102],
    ] as const) {
      const detail = await withBlocks.blockDetail(id, OPTIONS);
      expect(detail.contribution).toEqual({ nodeId: id, ...given(stage, index) });
      expect(drawn(detail.map)).toBe(drawnMap);
    }
    const all = await withBlocks.blockContributions();
    expect(all.map((c) => c.shortcutRms)).toEqual([5, 5, 5, 5, 5]);
    expect(runs).toHaveLength(0);
  });

  it("runs a block's stage for its output once the outputs are let go, and keeps the values given", async () => {
    withBlocks.forgetBlocks();
    const inside = await withBlocks.blockDetail('b.1', OPTIONS);
    expect(runs).toEqual([{ input: STAGES[1]!.map, stage: 1, keep: 1 }]);
    expect(drawn(inside.map)).toBe(1011);
    expect(inside.contribution).toEqual({ nodeId: 'b.1', ...given(1, 1) });
    const last = await withBlocks.blockDetail('b.2', OPTIONS);
    expect(runs).toHaveLength(1);
    expect(drawn(last.map)).toBe(102);
  });
});
