/**
 * A convolution whose gradient with respect to its input is itself a forward convolution (of the zero-dilated
 * output gradient with the flipped kernel). TF.js' own Conv2DBackpropInput is a plain loop on WASM, ten times
 * slower than the XNNPACK forward pass; explanations only ever need input gradients, never the kernel's.
 */
import * as tf from '@tensorflow/tfjs-core';

export type ConvPad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

export interface ConvSpec {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D | null;
  strides: number;
  pad: ConvPad;
  activation: 'relu' | 'linear';
}

/** Top/bottom (or left/right) padding TF applies for `same`/`valid` along one axis, as explicit numbers. */
export function explicitPadding(
  pad: ConvPad,
  inSize: number,
  kernel: number,
  stride: number,
  axis: 1 | 2,
): [number, number] {
  if (Array.isArray(pad)) return pad[axis] as [number, number];
  if (pad === 'valid') return [0, 0];
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + kernel - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * The kernels of an input gradient, one per output phase. With stride s, the input rows r = s m + p of one phase p
 * receive gradient only from the kernel taps a = (p + padTop) mod s, + s, + 2s, ...: so each phase is a stride-1
 * convolution of the output gradient with that sub-kernel, flipped and with input and output channels swapped.
 * (Dilating the gradient with zeros and convolving with the whole kernel gives the same, at s^2 times the work.)
 */
export class InputGradientKernels {
  private readonly byPadding = new Map<string, (tf.Tensor4D | null)[]>();

  constructor(
    private readonly filter: tf.Tensor4D,
    readonly strides: number,
  ) {}

  /** Sub-kernels for phases (py, px), row-major, for a forward pass padded by `top` and `left`. */
  phases(top: number, left: number): (tf.Tensor4D | null)[] {
    const key = `${top},${left}`;
    let kernels = this.byPadding.get(key);
    if (!kernels) {
      const [kh, kw] = this.filter.shape;
      const s = this.strides;
      kernels = [];
      for (let py = 0; py < s; py++) {
        for (let px = 0; px < s; px++) {
          const rows = phaseTaps(py, top, kh, s).reverse();
          const cols = phaseTaps(px, left, kw, s).reverse();
          kernels.push(
            rows.length === 0 || cols.length === 0
              ? null
              : // Kept: these live as long as this object, not the caller's tidy scope.
                tf.keep(
                  tf.tidy(() =>
                    tf.transpose(tf.gather(tf.gather(this.filter, rows, 0), cols, 1), [0, 1, 3, 2]),
                  ) as tf.Tensor4D,
                ),
          );
        }
      }
      this.byPadding.set(key, kernels);
    }
    return kernels;
  }

  dispose(): void {
    for (const kernels of this.byPadding.values()) kernels.forEach((k) => k?.dispose());
    this.byPadding.clear();
  }
}

/** Kernel taps a (ascending) that reach input rows of phase p: a = (p + pad) mod s, + s, ... below k. */
function phaseTaps(phase: number, pad: number, kernel: number, stride: number): number[] {
  const taps: number[] = [];
  for (let a = (phase + pad) % stride; a < kernel; a += stride) taps.push(a);
  return taps;
}

/** Padding (negative: cropping) of one axis of the output gradient for one phase's stride-1 convolution. */
function phasePadding(
  phase: number,
  pad: number,
  kernel: number,
  stride: number,
  inSize: number,
  outSize: number,
): { before: number; after: number; length: number; taps: number } {
  const taps = phaseTaps(phase, pad, kernel, stride).length;
  const length = Math.ceil((inSize - phase) / stride);
  const first = (phase + pad) % stride;
  const base = (phase + pad - first) / stride;
  const before = taps - 1 - base;
  return { before, after: length - outSize - before + taps - 1, length, taps };
}

/** Pads (or, for negative amounts, crops) rows and columns. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  const cropped = tf.slice(
    x,
    [0, cropTop, cropLeft, 0],
    [-1, h - cropTop - Math.max(0, -bottom), w - cropLeft - Math.max(0, -right), -1],
  );
  return tf.pad(cropped, [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ]) as tf.Tensor4D;
}

/** d loss / d x of y = conv2d(x, filter), given d loss / d y: one stride-1 forward convolution per phase. */
export function convInputGradient(
  dy: tf.Tensor4D,
  kernels: InputGradientKernels,
  inShape: readonly number[],
  kernelSize: readonly [number, number],
  pad: ConvPad,
): tf.Tensor4D {
  return tf.tidy(() => {
    const s = kernels.strides;
    const [kh, kw] = kernelSize;
    const [n, h, w, c] = inShape as [number, number, number, number];
    const [, outH, outW] = dy.shape;
    const [pt] = explicitPadding(pad, h, kh, s, 1);
    const [pl] = explicitPadding(pad, w, kw, s, 2);
    const phaseKernels = kernels.phases(pt, pl);
    const rowsPerPhase = Math.ceil(h / s);
    const colsPerPhase = Math.ceil(w / s);
    const phase = (py: number, px: number): tf.Tensor4D => {
      const kernel = phaseKernels[py * s + px];
      const rows = phasePadding(py, pt, kh, s, h, outH);
      const cols = phasePadding(px, pl, kw, s, w, outW);
      const out = kernel
        ? tf.conv2d(padOrCrop(dy, rows.before, rows.after, cols.before, cols.after), kernel, 1, 'valid')
        : tf.zeros([n, rows.length, cols.length, c]);
      // Every phase padded to the same size, so they interleave by a stack and a reshape.
      return tf.pad(out, [
        [0, 0],
        [0, rowsPerPhase - rows.length],
        [0, colsPerPhase - cols.length],
        [0, 0],
      ]) as tf.Tensor4D;
    };
    if (s === 1) return phase(0, 0);
    const rowPhases = Array.from({ length: s }, (_, py) =>
      tf.reshape(
        tf.stack(
          Array.from({ length: s }, (_, px) => phase(py, px)),
          3,
        ),
        [n, rowsPerPhase, colsPerPhase * s, c],
      ),
    );
    const interleaved = tf.reshape(tf.stack(rowPhases, 2), [n, rowsPerPhase * s, colsPerPhase * s, c]);
    return tf.slice(interleaved, [0, 0, 0, 0], [n, h, w, c]) as tf.Tensor4D;
  });
}

/**
 * conv + bias + activation as one fused op forward, with a gradient for the input only (the kernel and bias are
 * constants here). `kernels` are the filter's, made once per filter by the caller and kept.
 */
export function convWithInputGradient(
  x: tf.Tensor4D,
  spec: ConvSpec,
  kernels: InputGradientKernels,
): tf.Tensor4D {
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.fused.conv2d({
      x: input as tf.Tensor4D,
      filter: spec.filter,
      bias: spec.bias ?? undefined,
      strides: spec.strides,
      pad: spec.pad,
      activation: spec.activation,
    });
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const through = spec.activation === 'relu' ? tf.mul(dy, tf.step(saved[0]!)) : dy;
        const [kh, kw] = spec.filter.shape;
        return convInputGradient(through as tf.Tensor4D, kernels, input.shape, [kh, kw], spec.pad);
      },
    };
    // customGrad's declared type takes variadic tensors-or-save-functions; this op has one input.
  }) as unknown as Parameters<typeof tf.customGrad<tf.Tensor4D>>[0]);
  return op(x) as tf.Tensor4D;
}
