/**
 * The Network view's graph, read off a built or loaded layers model by its topology (not from a table): the stem
 * runs to the first layer two branches read, each residual block ends at its add (and the ReLU after it), and a
 * block's two paths into the add are traced back to the block's input, which tells the shortcut's kind.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type {
  NetworkGraph,
  NetworkLayer,
  NetworkLayerKind,
  NetworkNode,
  ShortcutKind,
} from '../shared/network';
import { VARIANTS } from '../shared/variants';
import type { Flavor, VariantId } from '../shared/variants';

type Layer = LayersModel['layers'][number];

const KINDS: Readonly<Record<string, NetworkLayerKind>> = {
  Conv2D: 'conv',
  BatchNormalization: 'bn',
  ReLU: 'relu',
  Add: 'add',
  MaxPooling2D: 'pool',
  ZeroPadding2D: 'pad',
  GlobalAveragePooling2D: 'gap',
  Dense: 'dense',
};

function kindOf(layer: Layer): NetworkLayerKind {
  const className = layer.getClassName();
  if (className === 'Activation') return layer.getConfig().activation === 'relu' ? 'relu' : 'other';
  return KINDS[className] ?? 'other';
}

function inputsOf(layer: Layer): string[] {
  return layer.inboundNodes[0]?.inboundLayers.map((l) => l.name) ?? [];
}

function kernelShape(layer: Layer): number[] | null {
  const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
  return kernel ? (kernel.shape as number[]) : null;
}

/** A convolution: H_out x W_out x C_out x C_in x k_h x k_w; the dense layer: in x out; anything else: 0. */
export function macsOf(layer: Layer): number {
  const kind = kindOf(layer);
  const kernel = kernelShape(layer);
  if (!kernel || (kind !== 'conv' && kind !== 'dense')) return 0;
  const weights = kernel.reduce((a, b) => a * b, 1);
  if (kind === 'dense') return weights;
  const [height, width] = outputShapeOf(layer);
  return height! * width! * weights;
}

/** Every weight, trainable or not (BatchNorm's moving statistics included), as Keras' countParams. */
function paramsOf(layer: Layer): number {
  return layer.weights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

function outputShapeOf(layer: Layer): number[] {
  return (layer.outputShape as (number | null)[]).slice(1).map((d) => d ?? -1);
}

function describeLayer(layer: Layer, path: NetworkLayer['path']): NetworkLayer {
  const kind = kindOf(layer);
  const described: NetworkLayer = {
    name: layer.name,
    kind,
    outputShape: outputShapeOf(layer),
    params: paramsOf(layer),
    macs: macsOf(layer),
    path,
  };
  if (kind === 'conv' || kind === 'pool') {
    const config = layer.getConfig();
    const size = (kind === 'conv' ? config.kernelSize : config.poolSize) as number[];
    const strides = config.strides as number[];
    described.detail = `${size[0]}x${size[1]}, stride ${strides[0]}`;
  }
  return described;
}

function nodeOf(id: string, kind: NetworkNode['kind'], stage: string, layers: NetworkLayer[]): NetworkNode {
  return {
    id,
    kind,
    stage,
    outputShape: layers.at(-1)!.outputShape,
    params: layers.reduce((a, l) => a + l.params, 0),
    macs: layers.reduce((a, l) => a + l.macs, 0),
    layers,
  };
}

/** The names of ResNet18/34's blocks (`layer2.1`) and ResNet50's (`conv3_block2`), and their stages. */
function blockNames(variant: VariantId): { id: string; stage: string }[] {
  const names: { id: string; stage: string }[] = [];
  VARIANTS[variant].blocksPerStage.forEach((blocks, s) => {
    for (let b = 0; b < blocks; b++) {
      names.push(
        variant === 'resnet50'
          ? { id: `conv${s + 2}_block${b + 1}`, stage: `conv${s + 2}` }
          : { id: `layer${s + 1}.${b}`, stage: `layer${s + 1}` },
      );
    }
  });
  return names;
}

/**
 * The layers from `from` back to (not including) `blockInput`, input side first, following single inputs: one of
 * the two paths into a block's add. Throws when the path leaves the block (not a residual block).
 */
function pathBack(from: string, blockInput: string, inBlock: Map<string, Layer>): Layer[] {
  const path: Layer[] = [];
  let name = from;
  while (name !== blockInput) {
    const layer = inBlock.get(name);
    const inputs = layer ? inputsOf(layer) : [];
    if (!layer || inputs.length !== 1) throw new Error(`${from} does not lead back to the block's input`);
    path.unshift(layer);
    name = inputs[0]!;
  }
  return path;
}

function shortcutKind(path: readonly Layer[]): ShortcutKind {
  if (path.length === 0) return 'identity';
  return path.some((l) => kindOf(l) === 'bn') ? 'projection' : 'conv1x1';
}

/** One residual block: its layers up to the add and the ReLU after it, each placed on its path. */
function describeBlock(
  layers: readonly Layer[],
  blockInput: string,
  name: { id: string; stage: string },
): NetworkNode {
  const inBlock = new Map(layers.map((l) => [l.name, l]));
  const add = layers.find((l) => kindOf(l) === 'add')!;
  const [a, b] = inputsOf(add).map((input) => pathBack(input, blockInput, inBlock));
  if (!a || !b) throw new Error(`${add.name} does not add two paths`);
  // The residual branch is the longer path; the shortcut is the block's input itself or a short projection.
  const [residual, shortcut] = a.length >= b.length ? [a, b] : [b, a];
  const pathOf = (layer: Layer): NetworkLayer['path'] =>
    residual.includes(layer) ? 'residual' : shortcut.includes(layer) ? 'shortcut' : 'merge';
  const strides = residual
    .filter((l) => kindOf(l) === 'conv')
    .map((l) => (l.getConfig().strides as number[])[0]!);
  return {
    ...nodeOf(
      name.id,
      'block',
      name.stage,
      layers.map((l) => describeLayer(l, pathOf(l))),
    ),
    shortcut: shortcutKind(shortcut),
    stride: Math.max(...strides),
  };
}

/** The graph of a ResNet18/34 (either layout) or Keras' ResNet50, from the model's own layers and shapes. */
export function describeNetwork(model: LayersModel, variant: VariantId, flavor: Flavor): NetworkGraph {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const readers = new Map<string, number>();
  for (const layer of layers) {
    for (const input of inputsOf(layer)) readers.set(input, (readers.get(input) ?? 0) + 1);
  }
  // Layers are in topological order, and every path through a block passes its add: a block is a run of layers.
  let i = 0;
  const stem: Layer[] = [];
  while (i < layers.length) {
    const layer = layers[i++]!;
    stem.push(layer);
    if ((readers.get(layer.name) ?? 0) >= 2) break;
  }
  const nodes: NetworkNode[] = [
    nodeOf(
      'stem',
      'stem',
      'stem',
      stem.map((l) => describeLayer(l, null)),
    ),
  ];
  const names = blockNames(variant);
  let blockInput = stem.at(-1)!.name;
  while (layers.slice(i).some((l) => kindOf(l) === 'add')) {
    const block: Layer[] = [];
    while (kindOf(layers[i]!) !== 'add') block.push(layers[i++]!);
    const add = layers[i++]!;
    block.push(add);
    const next = layers[i];
    if (next && kindOf(next) === 'relu' && inputsOf(next)[0] === add.name) block.push(layers[i++]!);
    const name = names[nodes.length - 1];
    if (!name) throw new Error(`${variant} has more residual blocks than ${names.length}`);
    nodes.push(describeBlock(block, blockInput, name));
    blockInput = block.at(-1)!.name;
  }
  if (nodes.length - 1 !== names.length) {
    throw new Error(
      `${variant} should have ${names.length} residual blocks, this model has ${nodes.length - 1}`,
    );
  }
  nodes.push(
    nodeOf(
      'fc',
      'head',
      'fc',
      layers.slice(i).map((l) => describeLayer(l, null)),
    ),
  );
  return {
    variant,
    flavor,
    nodes,
    totalParams: nodes.reduce((a, n) => a + n.params, 0),
    totalMacs: nodes.reduce((a, n) => a + n.macs, 0),
  };
}
