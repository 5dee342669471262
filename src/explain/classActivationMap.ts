/**
 * Attribution methods: which parts of the image made the model answer a class. This room is where the
 * explanation methods live (they run in the worker, over src/model); the class activation map is the first.
 */
import type { ActivationMap } from '../model/featureMaps';

/**
 * Class activation map (Zhou et al. 2016) for a GAP + Dense head: cam[y,x] = sum_k w[k,c] * A[y,x,k].
 * Its spatial mean plus the class bias is exactly the class logit, which the tests use as a check.
 */
export function classActivationMap(
  lastStage: ActivationMap,
  fcKernel: Float32Array,
  numClasses: number,
  classIndex: number,
): Float32Array {
  const { height, width, channels, data } = lastStage;
  if (fcKernel.length !== channels * numClasses) {
    throw new RangeError(`fc kernel has ${fcKernel.length} values, expected ${channels}x${numClasses}`);
  }
  const cam = new Float32Array(height * width);
  for (let p = 0; p < height * width; p++) {
    let s = 0;
    for (let k = 0; k < channels; k++) s += data[p * channels + k]! * fcKernel[k * numClasses + classIndex]!;
    cam[p] = s;
  }
  return cam;
}
