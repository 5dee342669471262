/**
 * Early stopping on the held-out loss: training stops once the loss has not improved for `patience` epochs, and
 * the weights of its best epoch are the ones kept (the trainer restores them).
 */

export interface EarlyStoppingSettings {
  /** Epochs without improvement before training stops. */
  patience: number;
  /** How much lower than the best so far a loss must be to count as an improvement. */
  minDelta: number;
}

/**
 * Five epochs: the held-out loss of a small set is noisy (a fifth of 20 images is 4), and one worse epoch says
 * little; five more cost a fraction of a second for a dense head, while giving up too early costs accuracy.
 */
export const DEFAULT_EARLY_STOPPING: EarlyStoppingSettings = { patience: 5, minDelta: 0 };

export interface EarlyStoppingState {
  /** The best held-out loss so far; Infinity before the first epoch. */
  bestLoss: number;
  /** The epoch (from 0) whose weights are kept; -1 before the first epoch. */
  bestEpoch: number;
  epochsWithoutImprovement: number;
}

export const EARLY_STOPPING_START: EarlyStoppingState = {
  bestLoss: Infinity,
  bestEpoch: -1,
  epochsWithoutImprovement: 0,
};

export interface EarlyStoppingStep {
  state: EarlyStoppingState;
  /** This epoch is the best so far: the trainer keeps a copy of its weights. */
  improved: boolean;
  stop: boolean;
}

/** The decision after `epoch`'s held-out loss. A loss that is not a number (training diverged) never improves. */
export function observeHeldOutLoss(
  state: EarlyStoppingState,
  epoch: number,
  heldOutLoss: number,
  settings: EarlyStoppingSettings = DEFAULT_EARLY_STOPPING,
): EarlyStoppingStep {
  // `<` is false for NaN, so a diverged epoch counts as one without improvement.
  const improved = heldOutLoss < state.bestLoss - settings.minDelta;
  const next: EarlyStoppingState = improved
    ? { bestLoss: heldOutLoss, bestEpoch: epoch, epochsWithoutImprovement: 0 }
    : { ...state, epochsWithoutImprovement: state.epochsWithoutImprovement + 1 };
  return { state: next, improved, stop: next.epochsWithoutImprovement >= settings.patience };
}
