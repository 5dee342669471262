/**
 * The network as the Network view draws it: stem, blocks and head read off the built model, each with its
 * layers, output shape, parameters and multiply-accumulates. Plain data, so it crosses the worker boundary.
 */
import type { Flavor, VariantId } from './variants';

export type NetworkNodeKind = 'stem' | 'block' | 'head';

/** A 1x1 convolution without BatchNorm is `conv1x1`, with BatchNorm `projection`. */
export type ShortcutKind = 'identity' | 'conv1x1' | 'projection';

export type NetworkLayerKind = 'conv' | 'bn' | 'relu' | 'add' | 'pool' | 'pad' | 'gap' | 'dense' | 'other';

export interface NetworkLayer {
  /** The layer's name in the built model. */
  name: string;
  kind: NetworkLayerKind;
  /** Without the batch axis, e.g. [56, 56, 64]. */
  outputShape: number[];
  /** Every weight the layer holds, BatchNorm's moving mean and variance included (Keras' count). */
  params: number;
  /** Multiply-accumulates of convolutions and the dense layer only (0 for every other layer). */
  macs: number;
  /** In a block: on the residual branch, on the shortcut, or after the two meet (the add and its ReLU). */
  path: 'residual' | 'shortcut' | 'merge' | null;
  /** A convolution's kernel and stride in words, e.g. "3x3, stride 2". */
  detail?: string;
}

export interface NetworkNode {
  /** `stem`, `layer1.0` ... `layer4.N`, `fc` (ResNet18/34); `stem`, `conv2_block1` ... `conv5_block3`, `fc`. */
  id: string;
  kind: NetworkNodeKind;
  /** The stage the node belongs to (`layer1`..`layer4`, `conv2`..`conv5`; the stem and head name themselves). */
  stage: string;
  outputShape: number[];
  params: number;
  macs: number;
  layers: NetworkLayer[];
  /** Blocks only. */
  shortcut?: ShortcutKind;
  /** Blocks only: the spatial stride of the block (1 or 2). */
  stride?: number;
}

export interface NetworkGraph {
  variant: VariantId;
  flavor: Flavor;
  nodes: NetworkNode[];
  totalParams: number;
  totalMacs: number;
}

/** The stages of a graph in order, each with its nodes (the stem and the head are stages of one node). */
export function stagesOf(graph: NetworkGraph): { stage: string; nodes: NetworkNode[] }[] {
  const stages: { stage: string; nodes: NetworkNode[] }[] = [];
  for (const node of graph.nodes) {
    const last = stages.at(-1);
    if (last && last.stage === node.stage) last.nodes.push(node);
    else stages.push({ stage: node.stage, nodes: [node] });
  }
  return stages;
}

/** What a block does to one image: the true branch values (BatchNorm not folded), as root mean squares. */
export interface BlockContribution {
  nodeId: string;
  /** The residual branch's last BatchNorm output, before the add. */
  residualRms: number;
  /** The shortcut before the add: the block's input, or its 1x1 conv / projection output. */
  shortcutRms: number;
  /** After the add and the ReLU. */
  outputRms: number;
}
