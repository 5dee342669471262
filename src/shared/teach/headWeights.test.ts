import { describe, expect, it } from 'vitest';

import {
  concatenatedDense,
  glorotDense,
  headOutputs,
  initialHeadWeights,
  newClassOffset,
} from './headWeights';
import type { DenseWeights } from './headWeights';

const dense = (inputs: number, outputs: number, kernel: number[], bias: number[]): DenseWeights => ({
  inputs,
  outputs,
  kernel: Float32Array.from(kernel),
  bias: Float32Array.from(bias),
});

describe('initialHeadWeights', () => {
  it('is the same for a seed, another for another seed, and different for each layer', () => {
    const spec = { kind: 'hidden', features: 64, hiddenUnits: 16, classes: 3 } as const;
    const a = initialHeadWeights(spec, 1);
    expect(initialHeadWeights(spec, 1)).toEqual(a);
    expect(initialHeadWeights(spec, 2)).not.toEqual(a);
    if (a.kind !== 'hidden') throw new Error('a hidden head');
    expect([a.hidden.inputs, a.hidden.outputs, a.output.inputs, a.output.outputs]).toEqual([64, 16, 16, 3]);
    expect(a.output.kernel.subarray(0, 16)).not.toEqual(a.hidden.kernel.subarray(0, 16));
  });

  it('draws a Glorot-uniform kernel and a zero bias', () => {
    const { kernel, bias } = glorotDense(2048, 5, 3);
    const limit = Math.sqrt(6 / 2053);
    expect(Math.max(...kernel)).toBeLessThanOrEqual(limit);
    expect(Math.min(...kernel)).toBeGreaterThanOrEqual(-limit);
    // A uniform on [-limit, limit] has variance limit^2 / 3.
    const variance = kernel.reduce((s, x) => s + x * x, 0) / kernel.length;
    expect(variance / ((limit * limit) / 3)).toBeGreaterThan(0.95);
    expect(variance / ((limit * limit) / 3)).toBeLessThan(1.05);
    expect([...bias]).toEqual([0, 0, 0, 0, 0]);
  });

  it('keeps the given fc as it is and adds the new classes after it', () => {
    const kept = dense(2, 3, [1, 2, 3, 4, 5, 6], [7, 8, 9]);
    const head = initialHeadWeights({ kind: 'keepImageNet', kept, classes: 2 }, 0);
    expect(head.kind === 'keepImageNet' && head.kept).toBe(kept);
    expect([headOutputs(head), newClassOffset(head)]).toEqual([5, 3]);
    expect(() =>
      initialHeadWeights({ kind: 'keepImageNet', kept: { ...kept, inputs: 3 }, classes: 2 }, 0),
    ).toThrow(/the kept fc/);
  });
});

describe('concatenatedDense', () => {
  it('puts the kept columns first and the new ones after them, row by row', () => {
    const kept = dense(2, 2, [1, 2, 3, 4], [10, 20]);
    const added = dense(2, 1, [5, 6], [30]);
    const both = concatenatedDense(kept, added);
    expect([both.inputs, both.outputs]).toEqual([2, 3]);
    expect([...both.kernel]).toEqual([1, 2, 5, 3, 4, 6]);
    expect([...both.bias]).toEqual([10, 20, 30]);
    expect(() => concatenatedDense(kept, dense(3, 1, [1, 2, 3], [0]))).toThrow(RangeError);
  });
});
