/**
 * Builds ResNet18/34 as a TF.js layers model, to the reference design or in torchvision's layout, with seeded
 * weights or zeros to be overwritten by loaded ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import type { OnProgress } from '../shared/progress';
import { INPUT_SIZE, NUM_CLASSES, STAGE_FILTERS, STAGE_STRIDES, VARIANTS } from '../shared/variants';
import type { BuildFlavor, BuildableVariantId } from '../shared/variants';
import { truncatedNormal } from './seededNormal';

export interface BuildOptions {
  variant: BuildableVariantId;
  flavor?: BuildFlavor;
  /** Seed for every initializer; the same seed gives bit-identical weights on every backend. */
  seed?: number;
  /**
   * 'random' (seeded He-normal) or 'zeros' when weights are about to be loaded from a file: generating
   * millions of random numbers only to overwrite them would cost seconds.
   */
  init?: 'random' | 'zeros';
  /** Called after each block is created (weights are allocated as layers are applied). */
  onProgress?: OnProgress;
}

export const DEFAULT_SEED = 1234;

/**
 * Layer names mirror torchvision's module paths (`layer2_0_conv1` <-> `layer2.0.conv1`), so stage
 * grouping is a prefix test and a checkpoint maps onto the model by a string replace.
 */
export function blockPrefix(stage: number, block: number): string {
  return `layer${stage + 1}_${block}`;
}

interface LayerFactory {
  conv(name: string, filters: number, kernel: number, stride: number): tfl.layers.Layer[];
  bn(name: string): tfl.layers.Layer;
  maxPool(name: string): tfl.layers.Layer[];
}

function makeFactory(flavor: BuildFlavor): LayerFactory {
  // Kernels start as zeros; `initializeSeeded` draws the random ones afterwards, much faster than TF.js's
  // seeded initializers would.
  const kernelInitializer = () => tfl.initializers.zeros();
  if (flavor === 'reference') {
    return {
      conv: (name, filters, kernel, stride) => [
        tfl.layers.conv2d({
          name,
          filters,
          kernelSize: kernel,
          strides: stride,
          padding: 'same',
          useBias: true,
          kernelInitializer: kernelInitializer(),
        }),
      ],
      bn: (name) => tfl.layers.batchNormalization({ name, axis: -1 }),
      maxPool: (name) => [tfl.layers.maxPooling2d({ name, poolSize: 3, strides: 2, padding: 'same' })],
    };
  }
  // torchvision pads symmetrically; TF's 'same' pads only bottom/right at stride 2 and would shift
  // every feature map by a pixel against PyTorch.
  return {
    conv: (name, filters, kernel, stride) => {
      const pad = (kernel - 1) / 2;
      const convLayer = tfl.layers.conv2d({
        name,
        filters,
        kernelSize: kernel,
        strides: stride,
        padding: 'valid',
        useBias: false,
        kernelInitializer: kernelInitializer(),
      });
      return pad > 0
        ? [tfl.layers.zeroPadding2d({ name: `${name}_pad`, padding: [pad, pad] }), convLayer]
        : [convLayer];
    },
    bn: (name) => tfl.layers.batchNormalization({ name, axis: -1, epsilon: 1e-5 }),
    // Zero padding is exact for max-pool here because its input follows a ReLU (all values >= 0).
    maxPool: (name) => [
      tfl.layers.zeroPadding2d({ name: `${name}_pad`, padding: [1, 1] }),
      tfl.layers.maxPooling2d({ name, poolSize: 3, strides: 2, padding: 'valid' }),
    ],
  };
}

function applyAll(layers: tfl.layers.Layer[], x: tfl.SymbolicTensor): tfl.SymbolicTensor {
  return layers.reduce((acc, layer) => layer.apply(acc) as tfl.SymbolicTensor, x);
}

/**
 * Builds ResNet18/34 as a functional tf.LayersModel, channels-last, input 224x224x3, output raw logits.
 */
export async function buildResNet(options: BuildOptions): Promise<tfl.LayersModel> {
  const { variant, flavor = 'reference', seed = DEFAULT_SEED, init = 'random', onProgress } = options;
  const spec = VARIANTS[variant];
  const f = makeFactory(flavor);
  const totalBlocks = spec.blocksPerStage.reduce((a, b) => a + b, 0);
  let blocksDone = 0;

  const input = tfl.input({ shape: [INPUT_SIZE, INPUT_SIZE, 3], name: 'input' });
  let x = applyAll(f.conv('stem_conv', 64, 7, 2), input);
  x = f.bn('stem_bn').apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ name: 'stem_relu' }).apply(x) as tfl.SymbolicTensor;
  x = applyAll(f.maxPool('stem_pool'), x);
  onProgress?.({ fraction: 0, message: 'stem' });

  let inChannels = 64;
  for (let stage = 0; stage < 4; stage++) {
    const filters = STAGE_FILTERS[stage] as number;
    const blocks = spec.blocksPerStage[stage] as number;
    for (let block = 0; block < blocks; block++) {
      const stride = block === 0 ? (STAGE_STRIDES[stage] as number) : 1;
      const p = blockPrefix(stage, block);
      let y = applyAll(f.conv(`${p}_conv1`, filters, 3, stride), x);
      y = f.bn(`${p}_bn1`).apply(y) as tfl.SymbolicTensor;
      y = tfl.layers.reLU({ name: `${p}_relu1` }).apply(y) as tfl.SymbolicTensor;
      y = applyAll(f.conv(`${p}_conv2`, filters, 3, 1), y);
      y = f.bn(`${p}_bn2`).apply(y) as tfl.SymbolicTensor;

      let shortcut: tfl.SymbolicTensor;
      if (flavor === 'reference') {
        // The reference design always projects the shortcut, even when shapes already match.
        shortcut = applyAll(f.conv(`${p}_shortcut`, filters, 1, stride), x);
      } else if (stride !== 1 || inChannels !== filters) {
        shortcut = applyAll(f.conv(`${p}_downsample_conv`, filters, 1, stride), x);
        shortcut = f.bn(`${p}_downsample_bn`).apply(shortcut) as tfl.SymbolicTensor;
      } else {
        shortcut = x;
      }
      x = tfl.layers.add({ name: `${p}_add` }).apply([y, shortcut]) as tfl.SymbolicTensor;
      x = tfl.layers.reLU({ name: `${p}_out` }).apply(x) as tfl.SymbolicTensor;
      inChannels = filters;
      blocksDone++;
      onProgress?.({
        fraction: blocksDone / totalBlocks,
        message: `layer${stage + 1}, block ${block + 1} of ${blocks}`,
      });
    }
  }

  x = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .dense({
      name: 'fc',
      units: NUM_CLASSES,
      kernelInitializer: tfl.initializers.zeros(),
    })
    .apply(x) as tfl.SymbolicTensor;

  const model = tfl.model({ inputs: input, outputs: logits, name: `${variant}_${flavor}` });
  if (init === 'random') initializeSeeded(model, seed);
  return model;
}

/**
 * Draws every kernel from a seeded truncated normal, layer by layer in build order (seed, seed + 1, ...):
 * He-normal (variance 2 / fan-in) for convolutions, which keeps activation variance roughly constant through
 * ReLU stacks, so untrained feature maps neither vanish nor explode and still make interesting pictures;
 * LeCun-normal (variance 1 / fan-in) for the classifier, which keeps untrained logits at a few units, so
 * the softmax is neither uniform nor one-hot and every top-k probability is > 0. Biases stay zero and
 * BatchNorm stays the identity, as Keras initializes them.
 */
export function initializeSeeded(model: tfl.LayersModel, seed: number): void {
  const kernels = seededKernels(model, seed);
  for (const layer of model.layers) {
    const [kernel, ...rest] = layer.getWeights();
    const values = kernel && kernels(layer.name, kernel.shape);
    if (!values) continue;
    const drawn = tf.tensor(values, kernel.shape);
    layer.setWeights([drawn, ...rest]);
    drawn.dispose();
  }
}

/**
 * The kernels `initializeSeeded` gives `model`, by layer name, drawn on request: what a seeded build's fast
 * path needs without setting the layers model's variables first (see loadClassifier).
 */
export function seededKernels(
  model: tfl.LayersModel,
  seed: number,
): (layerName: string, shape: readonly number[]) => Float32Array | null {
  const seeds = new Map<string, { seed: number; gain: number }>();
  let nextSeed = seed;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'Conv2D' || className === 'Dense') {
      seeds.set(layer.name, { seed: nextSeed++, gain: className === 'Conv2D' ? 2 : 1 });
    }
  }
  return (layerName, shape) => {
    const plan = seeds.get(layerName);
    if (!plan) return null;
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const size = fanIn * shape[shape.length - 1]!;
    return truncatedNormal(size, Math.sqrt(plan.gain / fanIn), plan.seed);
  };
}

/** Re-exported so callers of the model layer need no direct TF.js import just for typing. */
export type { LayersModel } from '@tensorflow/tfjs-layers';
export type Tensor = tf.Tensor;
