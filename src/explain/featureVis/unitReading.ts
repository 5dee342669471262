/**
 * Dataset examples' reading of a batch (issue #27): each image's value of the unit feature visualization maximizes
 * (a channel's mean over space, a class's logit) and the cell of the stage's (or block's) grid where that unit is
 * strongest.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { SplitNetwork } from '../../model/splitNetwork';
import type { FeatureVisTarget, UnitCell } from '../../shared/protocol';

export interface UnitReading {
  value: number;
  cell: UnitCell | null;
}

/** What is wrong with a target on this network, or null (the same checks a visualization makes). */
export function targetProblem(network: SplitNetwork, target: FeatureVisTarget): string | null {
  if (target.kind === 'class') {
    return Number.isInteger(target.classIndex) && target.classIndex >= 0
      ? null
      : `A class is a whole number from 0, not ${target.classIndex}.`;
  }
  let where: string;
  let channels: number;
  if (target.kind === 'block') {
    if (!network.blocks.includes(target.block)) return `This model has no block ${target.block}.`;
    [where, channels] = [target.block, network.blockShape(target.block)[2]];
  } else {
    if (!network.stages.includes(target.stage)) return `This model has no stage ${target.stage}.`;
    [where, channels] = [target.stage, network.stageShape(target.stage)[2]];
  }
  return Number.isInteger(target.channel) && target.channel >= 0 && target.channel < channels
    ? null
    : `${where} has ${channels} channels, not channel ${target.channel}.`;
}

/**
 * Reads `target` for a batch of normalized inputs `x` [n, h, w, 3] in one pass (the inference path, not the
 * gradient one). `classWeights`: for a class, the head's weight of each last-stage channel for that class; its
 * cell is then the class activation map's largest (with global pooling and a dense head, the logit is the mean
 * of that map plus the bias). Without them a class gets no cell.
 */
export async function readUnit(
  network: SplitNetwork,
  x: tf.Tensor4D,
  target: FeatureVisTarget,
  classWeights: Float32Array | null,
): Promise<UnitReading[]> {
  const n = x.shape[0];
  const stage = target.kind === 'channel' ? target.stage : network.stages.at(-1)!;
  const where = target.kind === 'block' ? target.block : stage;
  const [rows, cols, channels] =
    target.kind === 'block' ? network.blockShape(target.block) : network.stageShape(stage);
  // [values] or [values, cells]: the flat index of each image's largest cell.
  const outputs = tf.tidy((): tf.Tensor[] => {
    const activation = target.kind === 'block' ? network.toBlock(x, target.block) : network.toStage(x, stage);
    if (activation.shape[1] !== rows || activation.shape[2] !== cols) {
      throw new RangeError(`${where} is ${activation.shape[1]}x${activation.shape[2]}, not ${rows}x${cols}.`);
    }
    if (target.kind !== 'class') {
      const map = tf.reshape(tf.slice(activation, [0, 0, 0, target.channel], [-1, -1, -1, 1]), [
        n,
        rows * cols,
      ]);
      return [tf.mean(map, 1), tf.argMax(map, 1)];
    }
    const scores = network.fromStage(activation, stage);
    const classes = scores.shape[1];
    if (target.classIndex >= classes) {
      throw new RangeError(`This model has ${classes} classes, not class ${target.classIndex}.`);
    }
    const values = tf.reshape(tf.slice(scores, [0, target.classIndex], [-1, 1]), [n]);
    if (!classWeights) return [values];
    if (classWeights.length !== channels) {
      throw new RangeError(`${classWeights.length} class weights for ${channels} channels.`);
    }
    const cam = tf.matMul(
      tf.reshape(activation, [n * rows * cols, channels]),
      tf.tensor2d(classWeights, [channels, 1]),
    );
    return [values, tf.argMax(tf.reshape(cam, [n, rows * cols]), 1)];
  });
  try {
    const [valueData, cellData] = await Promise.all(outputs.map((t) => t.data()));
    return Array.from({ length: n }, (_, i) => {
      const at = cellData?.[i];
      return {
        value: valueData![i]!,
        cell: at === undefined ? null : { row: Math.floor(at / cols), col: at % cols, rows, cols },
      };
    });
  } finally {
    outputs.forEach((t) => t.dispose());
  }
}

/** The head's weight of each of its input channels for `classIndex`, from its kernel [features, classes]. */
export function classColumn(
  kernel: Float32Array,
  features: number,
  classes: number,
  classIndex: number,
): Float32Array {
  const column = new Float32Array(features);
  for (let k = 0; k < features; k++) column[k] = kernel[k * classes + classIndex]!;
  return column;
}
