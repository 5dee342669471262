import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { EARLY_STOPPING_START, observeHeldOutLoss } from './earlyStopping';
import type { EarlyStoppingSettings } from './earlyStopping';

/** Feeds the losses in until it says stop; returns the epoch it stopped after (or null) and the best epoch. */
function run(losses: readonly number[], settings?: EarlyStoppingSettings) {
  let state = EARLY_STOPPING_START;
  for (let epoch = 0; epoch < losses.length; epoch++) {
    const step = observeHeldOutLoss(state, epoch, losses[epoch]!, settings);
    state = step.state;
    if (step.stop) return { stoppedAfter: epoch, bestEpoch: state.bestEpoch };
  }
  return { stoppedAfter: null, bestEpoch: state.bestEpoch };
}

describe('observeHeldOutLoss', () => {
  it('stops after `patience` epochs without improvement and keeps the best epoch', () => {
    expect(run([1, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9, 0.8, 0.6])).toEqual({ stoppedAfter: 7, bestEpoch: 2 });
    expect(run([1, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9], { patience: 2, minDelta: 0 })).toEqual({
      stoppedAfter: 4,
      bestEpoch: 2,
    });
  });

  it('goes on while the loss keeps falling', () => {
    expect(run([5, 4, 3, 2, 1, 0.5])).toEqual({ stoppedAfter: null, bestEpoch: 5 });
  });

  it('counts an improvement smaller than minDelta, and a loss that is not a number, as none', () => {
    expect(run([1, 0.99, 0.98], { patience: 2, minDelta: 0.05 })).toEqual({ stoppedAfter: 2, bestEpoch: 0 });
    expect(run([1, Number.NaN, Number.NaN], { patience: 2, minDelta: 0 })).toEqual({
      stoppedAfter: 2,
      bestEpoch: 0,
    });
  });

  it('always keeps the epoch of the lowest loss seen, the first of equals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (losses) => {
          const { stoppedAfter, bestEpoch } = run(losses, { patience: 3, minDelta: 0 });
          const seen = losses.slice(0, (stoppedAfter ?? losses.length - 1) + 1);
          expect(bestEpoch).toBe(seen.indexOf(Math.min(...seen)));
          if (stoppedAfter !== null) expect(stoppedAfter - bestEpoch).toBe(3);
        },
      ),
    );
  });
});
