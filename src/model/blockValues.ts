/**
 * What the blocks of one residual stage do to an image: the root mean square of each block's residual branch,
 * shortcut and output, read in one download, and one block's output as a map for the tile atlas.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { ActivationMap } from './featureMaps';
import type { BlockParts } from './fastResNet';
import type { BlockOutput, ExplainableStage, LayerGraphNetwork } from './splitNetwork';
import type { NetworkGraph } from '../shared/network';
import { stagesOf } from '../shared/network';

export interface BlockRms {
  residualRms: number;
  shortcutRms: number;
  outputRms: number;
}

export interface StageBlockValues {
  /** One per block of the stage that was run, input side first. */
  blocks: BlockRms[];
  /** The output of the block asked for, if one was. */
  kept: ActivationMap | null;
}

/** The stage's blocks in the graph, and the stage before it (whose output is their input). */
export function residualStage(graph: NetworkGraph, stage: number) {
  const stages = stagesOf(graph).filter((s) => s.nodes[0]!.kind === 'block');
  const blocks = stages[stage]?.nodes;
  if (!blocks) throw new RangeError(`No residual stage ${stage} (0..${stages.length - 1})`);
  const before = stagesOf(graph)[stagesOf(graph).findIndex((s) => s.nodes[0] === blocks[0]) - 1]!;
  return { blocks, inputStage: before.stage as ExplainableStage };
}

/** Every residual block of the graph by its node id, with its residual stage, place and output layer. */
export function blockOutputsOf(graph: NetworkGraph): BlockOutput[] {
  return stagesOf(graph)
    .filter((s) => s.nodes[0]!.kind === 'block')
    .flatMap((s, stage) =>
      s.nodes.map((node, index) => ({
        id: node.id,
        stage,
        index,
        outputShape: node.outputShape as [number, number, number],
        outputLayer: node.layers.at(-1)!.name,
      })),
    );
}

/** The layers a stage's blocks' parts are read at: the residual branch's last, the shortcut's (or the block's input,
 * the output of the block before), and the block's output. */
export function blockPartNames(
  graph: NetworkGraph,
  stage: number,
): { residual: string; shortcut: string; output: string }[] {
  const { blocks, inputStage } = residualStage(graph, stage);
  let blockInput = stagesOf(graph)
    .find((s) => s.stage === inputStage)!
    .nodes.at(-1)!
    .layers.at(-1)!.name;
  return blocks.map((block) => {
    const last = (path: string) => block.layers.filter((l) => l.path === path).at(-1)?.name;
    const names = {
      residual: last('residual')!,
      shortcut: last('shortcut') ?? blockInput,
      output: block.layers.at(-1)!.name,
    };
    blockInput = names.output;
    return names;
  });
}

/**
 * The parts of a stage's blocks up to block `through` (every block when null) from a layers model run layer by
 * layer (nothing folded, so these are the true values), from `input`, the output of the stage before. The run
 * stops at the last layer asked for.
 */
export function layerGraphParts(
  network: LayerGraphNetwork,
  graph: NetworkGraph,
  stage: number,
  input: tf.Tensor4D,
  through: number | null = null,
): BlockParts[] {
  const all = blockPartNames(graph, stage);
  if (through !== null && !all[through]) throw new RangeError(`No block ${through} in this stage`);
  const names = through === null ? all : all.slice(0, through + 1);
  const outputs = network.outputsFrom(
    residualStage(graph, stage).inputStage,
    input,
    names.flatMap((n) => [n.residual, n.shortcut, n.output]),
  ) as tf.Tensor4D[];
  return names.map((_, i) => ({
    residual: outputs[3 * i]!,
    shortcut: outputs[3 * i + 1]!,
    output: outputs[3 * i + 2]!,
  }));
}

/** Each part's root mean square, three a block (residual, shortcut, output), as one tensor; the caller owns it. */
export function partsRms(parts: readonly BlockParts[]): tf.Tensor1D {
  return tf.tidy(() =>
    tf.stack(
      parts.flatMap((p) => [p.residual, p.shortcut, p.output]).map((t) => tf.sqrt(tf.mean(tf.square(t)))),
    ),
  ) as tf.Tensor1D;
}

/** The values `partsRms` read back, a block each. */
export function blockRmsOf(values: ArrayLike<number>): BlockRms[] {
  return Array.from({ length: values.length / 3 }, (_, i) => ({
    residualRms: values[3 * i]!,
    shortcutRms: values[3 * i + 1]!,
    outputRms: values[3 * i + 2]!,
  }));
}

/** Reads the parts' root mean squares (one download) and block `keep`'s output; disposes every part. */
export async function readStageBlocks(parts: BlockParts[], keep: number | null): Promise<StageBlockValues> {
  try {
    if (keep !== null && !parts[keep]) throw new RangeError(`No block ${keep} in this stage`);
    const rms = partsRms(parts);
    const output = keep === null ? null : parts[keep]!.output;
    const [values, data] = await Promise.all([rms.data(), output ? output.data() : Promise.resolve(null)]);
    rms.dispose();
    const kept =
      output && data
        ? {
            data: data as Float32Array,
            height: output.shape[1],
            width: output.shape[2],
            channels: output.shape[3],
          }
        : null;
    return {
      blocks: blockRmsOf(values),
      kept,
    };
  } finally {
    parts.forEach((p) => tf.dispose([p.residual, p.shortcut, p.output]));
  }
}

/** Grad-CAM at one block of a layers model run layer by layer (see FastResNet.blockGradCam), [1, H, W]. */
export function layerGraphBlockGradCam(
  network: LayerGraphNetwork,
  graph: NetworkGraph,
  stage: number,
  block: number,
  input: tf.Tensor4D,
  classIndex: number,
): tf.Tensor3D {
  const { blocks, inputStage } = residualStage(graph, stage);
  const target = blocks[block];
  if (!target) throw new RangeError(`No block ${block} in residual stage ${stage}`);
  const output = target.layers.at(-1)!.name;
  const [a] = network.outputsFrom(inputStage, input, [output]) as tf.Tensor4D[];
  try {
    return tf.tidy(() => {
      const score = (x: tf.Tensor) =>
        tf.sum(tf.slice(network.scoresFromLayer(output, x as tf.Tensor4D, true), [0, classIndex], [1, 1]));
      const g = tf.grad(score)(a!);
      return tf.relu(tf.sum(tf.mul(a!, tf.mean(g, [1, 2], true)), -1)) as tf.Tensor3D;
    });
  } finally {
    a!.dispose();
  }
}
