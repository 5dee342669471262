/**
 * Teaching a head: epochs of Adam steps over the training items in a seeded order, both sides of the held-out split
 * measured after each epoch, early stopping on the held-out loss, the best epoch's weights returned.
 */
import { confusionMatrix } from '../../shared/teach/classMetrics';
import type { ConfusionMatrix } from '../../shared/teach/classMetrics';
import {
  DEFAULT_EARLY_STOPPING,
  EARLY_STOPPING_START,
  observeHeldOutLoss,
} from '../../shared/teach/earlyStopping';
import type { EarlyStoppingSettings } from '../../shared/teach/earlyStopping';
import type { HeadWeights } from '../../shared/teach/headWeights';
import type { HeldOutSplit } from '../../shared/teach/heldOutSplit';
import type { EpochRecord } from '../../shared/teach/teachJob';
import { batches, epochOrder } from '../../shared/teach/seededRandom';
import { DEFAULT_ADAM, HeadTrainer } from './headTrainer';
import type { AdamSettings, LabeledFeatures } from './headTrainer';

/**
 * 32 items a step: a few hundred steps for 1,000 images over the epochs early stopping allows, small enough that a
 * step is one short matMul on any backend and the worker reads a cancel between steps within milliseconds.
 */
export const DEFAULT_BATCH_SIZE = 32;
/** A ceiling early stopping nearly always stays under on ResNet features. */
export const DEFAULT_MAX_EPOCHS = 100;

export interface TrainHeadOptions {
  data: LabeledFeatures;
  split: HeldOutSplit;
  /** From initialHeadWeights (or weights to go on from). */
  initial: HeadWeights;
  /** Seeds each epoch's data order (epochOrder). */
  seed: number;
  adam?: AdamSettings;
  batchSize?: number;
  maxEpochs?: number;
  earlyStopping?: EarlyStoppingSettings;
  /** After each epoch, before the next begins. */
  onEpoch?: (record: EpochRecord) => void;
  /** Read between steps: aborting rejects the run with the signal's reason and frees everything. */
  signal?: AbortSignal;
  /**
   * Awaited between steps so that the worker reads queued messages (a cancel) mid-run. The default is one macrotask
   * by a MessageChannel: setTimeout(0) would be clamped to 4 ms once nested, longer than a step.
   */
  yieldToEvents?: () => Promise<void>;
}

export interface TrainedHead {
  /** The weights of the best epoch by held-out loss. */
  weights: HeadWeights;
  history: EpochRecord[];
  bestEpoch: number;
  /** False when it ran all maxEpochs. */
  stoppedEarly: boolean;
  /** The best weights on the held-out items. */
  heldOut: {
    /** Per item of split.heldOut, in its order: the predicted new class, -1 for a kept (ImageNet) class. */
    predicted: Int32Array;
    confusion: ConfusionMatrix;
  };
}

/** Trains a head on `data` (see TrainHeadOptions); every tensor it made is freed when it settles. */
export async function trainHead(options: TrainHeadOptions): Promise<TrainedHead> {
  const { data, split, initial, seed, signal } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxEpochs = options.maxEpochs ?? DEFAULT_MAX_EPOCHS;
  const yieldToEvents = options.yieldToEvents ?? nextTask;
  if (split.train.length === 0 || split.heldOut.length === 0)
    throw new RangeError('training needs items on both sides of the held-out split');

  const checkpoint = async () => {
    await yieldToEvents();
    signal?.throwIfAborted();
  };

  signal?.throwIfAborted();
  const trainer = new HeadTrainer(data, initial, options.adam ?? DEFAULT_ADAM);
  try {
    const history: EpochRecord[] = [];
    let stopping = EARLY_STOPPING_START;
    let best = await trainer.weights();
    let stoppedEarly = false;
    for (let epoch = 0; epoch < maxEpochs; epoch++) {
      for (const batch of batches(epochOrder(split.train, seed, epoch), batchSize)) {
        await checkpoint();
        await trainer.step(batch);
      }
      await checkpoint();
      // Both sides measured with the same end-of-epoch weights, so the two curves compare (a running mean over
      // the epoch's steps would flatter the training side with the early, worse steps).
      const train = await trainer.evaluate(split.train);
      const heldOut = await trainer.evaluate(split.heldOut);
      const record: EpochRecord = {
        epoch,
        trainLoss: train.loss,
        trainAccuracy: train.accuracy,
        heldOutLoss: heldOut.loss,
        heldOutAccuracy: heldOut.accuracy,
      };
      history.push(record);
      const decision = observeHeldOutLoss(
        stopping,
        epoch,
        heldOut.loss,
        options.earlyStopping ?? DEFAULT_EARLY_STOPPING,
      );
      stopping = decision.state;
      if (decision.improved) best = await trainer.weights();
      options.onEpoch?.(record);
      if (decision.stop) {
        stoppedEarly = epoch < maxEpochs - 1;
        break;
      }
    }
    trainer.restore(best);
    const { predicted } = await trainer.evaluate(split.heldOut);
    const actual = split.heldOut.map((item) => data.labels[item]!);
    return {
      weights: best,
      history,
      bestEpoch: stopping.bestEpoch,
      stoppedEarly,
      heldOut: { predicted, confusion: confusionMatrix(actual, predicted, initial.output.outputs) },
    };
  } finally {
    trainer.dispose();
  }
}

/** Resolves in a new macrotask, after the messages already queued. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
