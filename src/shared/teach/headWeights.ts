/**
 * The weights of a taught head as plain arrays (what crosses from the worker, is stored and exported), and their
 * seeded starting values. The TF.js side that trains them is src/model/teach/.
 */
import { derivedSeed, seededUniform } from './seededRandom';

/**
 * One dense layer: `outputs = inputs x kernel + bias`, the kernel [inputs, outputs] row-major as TF.js's Dense
 * (and the app's fc, see FcKernel) holds it: PyTorch's Linear.weight transposed.
 */
export interface DenseWeights {
  inputs: number;
  outputs: number;
  kernel: Float32Array;
  bias: Float32Array;
}

/**
 * The three heads. `dense`: softmax over one dense layer on the features. `hidden`: one hidden ReLU layer first,
 * for classes the features do not separate with a plane. `keepImageNet`: the backbone's own fc (`kept`, 1000
 * classes) stays as it was and the new classes' `output` is added beside it, logits [kept..., new...].
 *
 * Why `kept` is frozen rather than trained: the user's images are all of the new classes, so training the 1000
 * ImageNet columns on them could only push those classes down for every image, which is forgetting ImageNet; frozen,
 * the 1000 logits stay exactly the original ones, a photo of a tabby still scores "tabby" as before, and the new
 * classes must earn their place beside them. It also spares Adam's two moments for 2 million weights.
 */
export type HeadWeights =
  | { kind: 'dense'; output: DenseWeights }
  | { kind: 'hidden'; hidden: DenseWeights; output: DenseWeights }
  | { kind: 'keepImageNet'; kept: DenseWeights; output: DenseWeights };

export type HeadKind = HeadWeights['kind'];

export type HeadSpec =
  | { kind: 'dense'; features: number; classes: number }
  | { kind: 'hidden'; features: number; hiddenUnits: number; classes: number }
  /** `kept`: the backbone's fc, kernel [features, 1000] and bias, e.g. FcKernel plus the fc's bias. */
  | { kind: 'keepImageNet'; kept: DenseWeights; classes: number };

/**
 * The hidden layer's width when the user asks for one: small beside ResNet's 512 or 2,048 features, so that a few
 * hundred images do not overfit it, and wide enough for a handful of classes.
 */
export const DEFAULT_HIDDEN_UNITS = 128;

/**
 * A dense layer with Glorot-uniform kernel (Keras's default for Dense, which keeps the logits' scale near the
 * features' whatever their number) and zero bias.
 */
export function glorotDense(inputs: number, outputs: number, seed: number): DenseWeights {
  const limit = Math.sqrt(6 / (inputs + outputs));
  const random = seededUniform(seed);
  const kernel = new Float32Array(inputs * outputs);
  for (let i = 0; i < kernel.length; i++) kernel[i] = (2 * random() - 1) * limit;
  return { inputs, outputs, kernel, bias: new Float32Array(outputs) };
}

/** The head's weights before training, from `seed`: the same seed, the same start, on any machine. */
export function initialHeadWeights(spec: HeadSpec, seed: number): HeadWeights {
  const layerSeed = (layer: number) => derivedSeed(seed, 2, layer);
  switch (spec.kind) {
    case 'dense':
      return { kind: 'dense', output: glorotDense(spec.features, spec.classes, layerSeed(0)) };
    case 'hidden':
      return {
        kind: 'hidden',
        hidden: glorotDense(spec.features, spec.hiddenUnits, layerSeed(0)),
        output: glorotDense(spec.hiddenUnits, spec.classes, layerSeed(1)),
      };
    case 'keepImageNet':
      checkDense(spec.kept, 'the kept fc');
      return {
        kind: 'keepImageNet',
        kept: spec.kept,
        output: glorotDense(spec.kept.inputs, spec.classes, layerSeed(0)),
      };
  }
}

/** The feature count the head takes. */
export function headFeatures(weights: HeadWeights): number {
  return weights.kind === 'hidden' ? weights.hidden.inputs : weights.output.inputs;
}

/** The number of logits the head gives: the new classes, after the 1000 kept ones with keep-ImageNet. */
export function headOutputs(weights: HeadWeights): number {
  return weights.output.outputs + (weights.kind === 'keepImageNet' ? weights.kept.outputs : 0);
}

/** Where the new classes start among the logits: after the kept ones. */
export function newClassOffset(weights: HeadWeights): number {
  return weights.kind === 'keepImageNet' ? weights.kept.outputs : 0;
}

/**
 * A keep-ImageNet head as the one dense layer [features, 1000 + N] it is: what an exported model's fc and the
 * class activation maps need.
 */
export function concatenatedDense(kept: DenseWeights, added: DenseWeights): DenseWeights {
  if (kept.inputs !== added.inputs)
    throw new RangeError(`${kept.inputs} features kept but ${added.inputs} added`);
  const outputs = kept.outputs + added.outputs;
  const kernel = new Float32Array(kept.inputs * outputs);
  for (let row = 0; row < kept.inputs; row++) {
    kernel.set(kept.kernel.subarray(row * kept.outputs, (row + 1) * kept.outputs), row * outputs);
    kernel.set(
      added.kernel.subarray(row * added.outputs, (row + 1) * added.outputs),
      row * outputs + kept.outputs,
    );
  }
  const bias = new Float32Array(outputs);
  bias.set(kept.bias);
  bias.set(added.bias, kept.outputs);
  return { inputs: kept.inputs, outputs, kernel, bias };
}

/** Throws unless the arrays have the sizes the layer claims. */
export function checkDense(layer: DenseWeights, what: string): void {
  if (layer.kernel.length !== layer.inputs * layer.outputs || layer.bias.length !== layer.outputs)
    throw new RangeError(
      `${what}: a kernel of ${layer.kernel.length} and a bias of ${layer.bias.length} for ${layer.inputs} x ${layer.outputs}`,
    );
}
