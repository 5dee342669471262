/** Reads a model's kernels for the Network view's weight pictures: the stem's filters and a histogram per layer. */
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { histogram } from '../shared/weightStats';
import type { WeightStats } from '../shared/weightStats';

/**
 * Every convolution's and the dense layer's kernel, input side first; the first is the stem's. `bgr`: the model
 * takes its input in BGR order (Keras' Caffe preprocessing), so the stem's input channels are turned to RGB.
 */
export async function readWeightStats(model: LayersModel, bgr: boolean): Promise<WeightStats> {
  const histograms: WeightStats['histograms'] = [];
  let stemKernel: WeightStats['stemKernel'] | null = null;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className !== 'Conv2D' && className !== 'Dense') continue;
    const variable = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
    if (!variable) continue;
    // The variable's own tensor (not a copy to dispose); one download per layer.
    const tensor = variable.read();
    const data = (await tensor.data()) as Float32Array;
    if (!stemKernel) {
      const shape = tensor.shape as [number, number, number, number];
      stemKernel = { data: bgr ? swapRedBlue(data, shape) : data.slice(), shape };
    }
    histograms.push(histogram(layer.name, data));
  }
  if (!stemKernel) throw new Error('This model has no convolution');
  return { stemKernel, histograms };
}

function swapRedBlue(data: Float32Array, [kh, kw, channels, count]: number[]): Float32Array {
  const out = data.slice();
  for (let p = 0; p < kh! * kw!; p++) {
    for (let f = 0; f < count!; f++) {
      out[(p * channels! + 0) * count! + f] = data[(p * channels! + 2) * count! + f]!;
      out[(p * channels! + 2) * count! + f] = data[(p * channels! + 0) * count! + f]!;
    }
  }
  return out;
}
