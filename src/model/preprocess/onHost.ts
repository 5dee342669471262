/**
 * The network's input made from decoded bytes in one pass of plain JS, for the backends that run on this CPU
 * (WASM, CPU): there the ten element-wise kernels of onBackend.ts each take a pass over the image, single-threaded,
 * and cost a dropped photo more than the loop here (docs/performance.md, "A photo dropped on an idle page"). The
 * arithmetic is onBackend.ts's, step for step in float32, so both paths give the same input.
 */
import type { PreprocessSpec } from './spec';

const f32 = Math.fround;

/** RGBA crops (each `height` x `width`) to the network's input [n, height, width, 3] as float32, NHWC. */
export function rgbaToModelInputOnHost(
  crops: readonly Uint8ClampedArray[],
  height: number,
  width: number,
  spec: PreprocessSpec,
): Float32Array {
  const pixels = height * width;
  const out = new Float32Array(crops.length * pixels * 3);
  // Per output channel: what it reads (RGB order, or BGR for Caffe), then times `scale` plus `offset`.
  const source = spec.mode === 'caffe' ? [2, 1, 0] : [0, 1, 2];
  const scale = spec.mode === 'caffe' ? [1, 1, 1] : spec.std.map((s) => f32(1 / (255 * s)));
  const offset =
    spec.mode === 'caffe'
      ? spec.meanBGR.map((m) => -f32(m))
      : spec.mean.map((m, c) => f32(-m / spec.std[c]!));
  let o = 0;
  for (const crop of crops) {
    for (let p = 0; p < pixels; p++) {
      const i = p * 4;
      const alpha = f32(crop[i + 3]! / 255);
      for (let c = 0; c < 3; c++) {
        // Straight alpha onto white, as onBackend.ts: 255 + a * (v - 255).
        const v = f32(f32(alpha * (crop[i + source[c]!]! - 255)) + 255);
        out[o++] = spec.mode === 'caffe' ? f32(v + offset[c]!) : f32(f32(v * scale[c]!) + offset[c]!);
      }
    }
  }
  return out;
}
