/**
 * Shared shape of a parsed weight file, its error type, and the float decoders both readers use.
 * Framework-free on purpose: this runs in a Web Worker and in Node, before TensorFlow.js sees anything.
 */

/** Dtype the values were stored in; `data` is always float32 regardless. */
export type WeightsDtype = 'F32' | 'F16' | 'BF16';

export interface TensorEntry {
  /** Row-major (C-order) dimensions as stored, e.g. OIHW for a PyTorch conv weight. */
  shape: number[];
  /** C-order values. May be a view into the caller's buffer when no conversion was needed. */
  data: Float32Array;
  dtype: WeightsDtype;
}

/** Tensor name → tensor, in file order. */
export type TensorMap = Map<string, TensorEntry>;

export type WeightsFormatErrorCode =
  | 'truncated'
  | 'bad-header'
  | 'bad-offsets'
  | 'unsupported-dtype'
  | 'forbidden-global'
  | 'legacy-format'
  | 'not-a-checkpoint'
  | 'bad-pickle'
  | 'bad-zip'
  | 'missing-record'
  | 'big-endian'
  | 'no-tensors'
  // Raised when a parsed file is matched against a model (torchvisionWeights.ts), not by the readers.
  | 'wrong-architecture'
  | 'missing-tensor'
  | 'unexpected-tensor'
  | 'shape-mismatch'
  | 'non-finite';

export class WeightsFormatError extends Error {
  readonly code: WeightsFormatErrorCode;

  constructor(code: WeightsFormatErrorCode, message: string) {
    super(message);
    this.name = 'WeightsFormatError';
    this.code = code;
  }
}

/**
 * BatchNorm's step counter is an int64 with no effect on inference. Both readers drop it so that a
 * plain `model.state_dict()` loads, instead of refusing the whole file over an integer tensor.
 */
export function isIgnorableIntegerTensor(name: string): boolean {
  return name === 'num_batches_tracked' || name.endsWith('.num_batches_tracked');
}

export function bytesPerElement(dtype: WeightsDtype): number {
  return dtype === 'F32' ? 4 : 2;
}

const hostIsLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` little-endian values of `dtype` starting at `bytes[0]` into float32.
 * F32 comes back as a view when the bytes are 4-aligned (no copy of a 100 MB file); every other
 * case gets a fresh array. F16 and BF16 widen exactly: every half/bfloat value is a float32 value.
 */
export function decodeToFloat32(bytes: Uint8Array, dtype: WeightsDtype, count: number): Float32Array {
  const byteLength = count * bytesPerElement(dtype);
  if (bytes.byteLength < byteLength) {
    throw new RangeError(`need ${byteLength} bytes, have ${bytes.byteLength}`);
  }
  if (dtype === 'F32') {
    if (!hostIsLittleEndian) return readWithDataView(bytes, count);
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    return new Float32Array(bytes.slice(0, byteLength).buffer);
  }
  const halves = readUint16LE(bytes, count);
  const out = new Float32Array(count);
  // Writing float bits through a same-buffer Uint32Array is endian-neutral: both views use host order.
  const outBits = new Uint32Array(out.buffer);
  if (dtype === 'BF16') {
    for (let i = 0; i < count; i++) outBits[i] = (halves[i] ?? 0) << 16;
    return out;
  }
  for (let i = 0; i < count; i++) {
    const h = halves[i] ?? 0;
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) {
      // Zero or subnormal: value is mantissa·2⁻²⁴, exact in float32 arithmetic.
      out[i] = (sign ? -1 : 1) * mantissa * 2 ** -24;
    } else if (exponent === 0x1f) {
      outBits[i] = (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
    } else {
      // Re-bias the exponent from 15 to 127; the mantissa gains 13 zero bits.
      outBits[i] = (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
    }
  }
  return out;
}

function readUint16LE(bytes: Uint8Array, count: number): Uint16Array {
  if (hostIsLittleEndian && bytes.byteOffset % 2 === 0) {
    return new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}

function readWithDataView(bytes: Uint8Array, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Product of dimensions, refusing anything that is not a non-negative safe integer. */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

export function isValidShape(shape: unknown): shape is number[] {
  if (!Array.isArray(shape)) return false;
  let count = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) return false;
    count *= dim;
  }
  return Number.isSafeInteger(count);
}
