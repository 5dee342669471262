import { describe, expect, it } from 'vitest';

import { taughtModelId, teachReport, teachRequestProblem, trainingWithViews } from './teachJob';
import type { TeachRequest } from './teachJob';

const request = (changes: Partial<TeachRequest> = {}): TeachRequest => ({
  name: 'plants',
  classNames: ['fern', 'moss'],
  features: new Float32Array(4 * 3),
  featureSize: 3,
  labels: Int32Array.from([0, 0, 1, 1]),
  options: { keepImageNet: false, seed: 1 },
  ...changes,
});

describe('teachRequestProblem', () => {
  it('passes a request that meets the rules', () => {
    expect(teachRequestProblem(request(), 3)).toBeNull();
    expect(teachRequestProblem(request({ options: { keepImageNet: true, seed: 1 } }), 3)).toBeNull();
  });

  it('names what is wrong, before any tensor is made', () => {
    expect(teachRequestProblem(request({ name: ' ' }), 3)).toMatch(/needs a name/);
    expect(teachRequestProblem(request(), 512)).toMatch(/3 values each; this model's have 512/);
    expect(teachRequestProblem(request({ labels: Int32Array.from([0, 0, 1]) }), 3)).toMatch(
      /3 labels for 4 feature vectors/,
    );
    expect(teachRequestProblem(request({ labels: Int32Array.from([0, 0, 1, 2]) }), 3)).toMatch(
      /label 2 names none of the 2 classes/,
    );
    // The labeled-set rules: each class needs two images.
    expect(teachRequestProblem(request({ labels: Int32Array.from([0, 0, 0, 1]) }), 3)).toMatch(
      /"moss" has 1 image/,
    );
    expect(
      teachRequestProblem(request({ options: { keepImageNet: true, hiddenUnits: 8, seed: 1 } }), 3),
    ).toMatch(/plain dense head only/);
    expect(
      teachRequestProblem(request({ options: { keepImageNet: false, hiddenUnits: 0, seed: 1 } }), 3),
    ).toMatch(/hidden layer of 0 units/);
  });
});

describe('teachReport', () => {
  it("reports the kept epoch's accuracies and the held-out misses by the request's item index", () => {
    const epoch = (e: number, heldOutAccuracy: number) => ({
      epoch: e,
      trainLoss: 1 / (e + 1),
      trainAccuracy: 0.5 + e / 10,
      heldOutLoss: 1,
      heldOutAccuracy,
    });
    const report = teachReport(
      [0, 0, 0, 1, 1, 1],
      2,
      { train: [0, 1, 3, 4], heldOut: [2, 5] },
      {
        history: [epoch(0, 0), epoch(1, 0.5), epoch(2, 0)],
        bestEpoch: 1,
        stoppedEarly: true,
        heldOutPredicted: [0, -1],
      },
    );
    expect(report.trainAccuracy).toBeCloseTo(0.6);
    expect(report.heldOutAccuracy).toBe(0.5);
    expect(report.confusion.counts).toEqual([
      [1, 0],
      [0, 0],
    ]);
    expect(report.confusion.outside).toEqual([0, 1]);
    expect(report.perClassAccuracy).toEqual([1, 0]);
    expect(report.wrong).toEqual([{ item: 5, actual: 1, predicted: -1 }]);
    expect(report.heldOut).toEqual([2, 5]);
  });
});

it('names a taught model custom:<name>', () => {
  expect(taughtModelId('plants')).toBe('custom:plants');
});

describe('augmented views', () => {
  // Items 0..3 (features 10, 20, 30, 40), views of items 0 (11, 12) and 2 (31), with a one-value feature.
  const augmented = { features: Float32Array.from([11, 12, 31]), of: Int32Array.from([0, 0, 2]) };
  const items = {
    features: Float32Array.from([10, 20, 30, 40]),
    featureSize: 1,
    labels: Int32Array.from([0, 0, 1, 1]),
  };

  it('are learned from with their item’s label when the item is learned from, and left out when it is held out', () => {
    const learned = trainingWithViews({ ...items, augmented }, { train: [0, 3], heldOut: [1, 2] });
    expect(Array.from(learned.features)).toEqual([10, 20, 30, 40, 11, 12]);
    expect(Array.from(learned.labels)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(learned.split).toEqual({ train: [0, 3, 4, 5], heldOut: [1, 2] });
  });

  it('change nothing when there are none', () => {
    const split = { train: [0, 2], heldOut: [1, 3] };
    expect(trainingWithViews(items, split)).toEqual({
      features: items.features,
      labels: items.labels,
      split,
    });
  });

  it('are checked with the request: sizes, and each view of an item of the request', () => {
    const base = request({ augmented: { features: new Float32Array(2 * 3), of: Int32Array.from([0, 3]) } });
    expect(teachRequestProblem(base, 3)).toBeNull();
    expect(
      teachRequestProblem(
        request({ augmented: { features: new Float32Array(3), of: Int32Array.from([0, 1]) } }),
        3,
      ),
    ).toMatch(/2 augmented views for 1 feature vectors/);
    expect(
      teachRequestProblem(
        request({ augmented: { features: new Float32Array(3), of: Int32Array.from([4]) } }),
        3,
      ),
    ).toMatch(/of no item/);
  });
});
