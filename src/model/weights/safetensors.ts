/**
 * Reader for the safetensors format: u64 little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {...}}`, then the raw
 * little-endian C-order bytes, offsets relative to the end of the header.
 */
import {
  type TensorMap,
  type WeightsDtype,
  WeightsFormatError,
  decodeToFloat32,
  elementCount,
  isIgnorableIntegerTensor,
  isValidShape,
} from './tensorMap';

/** Far beyond any real header (ResNet34's is ~20 KB); a bigger claim means garbage, not weights. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

const INTEGER_DTYPES = new Set(['U8', 'I8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64']);

interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export function parseSafetensors(buf: ArrayBuffer): TensorMap {
  const fileBytes = buf.byteLength;
  if (fileBytes < 8) {
    throw new WeightsFormatError(
      'truncated',
      `safetensors file is ${fileBytes} bytes, too short to hold the 8-byte header length`,
    );
  }
  const prefix = new DataView(buf, 0, 8);
  const lengthLow = prefix.getUint32(0, true);
  const lengthHigh = prefix.getUint32(4, true);
  // Checked before any allocation: the length is attacker-controlled.
  if (lengthHigh !== 0 || lengthLow > MAX_HEADER_BYTES) {
    // BigInt: a claim of up to 2^64 - 1 bytes is named exactly, where a double would round it.
    const claimed = (BigInt(lengthHigh) << 32n) | BigInt(lengthLow);
    throw new WeightsFormatError(
      'bad-header',
      `safetensors header length ${claimed} bytes is absurd (limit ${MAX_HEADER_BYTES}); this is not a safetensors file or it is corrupt`,
    );
  }
  const headerBytes = lengthLow;
  const dataStart = 8 + headerBytes;
  if (dataStart > fileBytes) {
    throw new WeightsFormatError(
      'truncated',
      `safetensors header claims ${headerBytes} bytes but only ${fileBytes - 8} bytes follow the length prefix (file truncated?)`,
    );
  }

  const entries = parseHeader(new Uint8Array(buf, 8, headerBytes));
  validateOffsets(entries, fileBytes - dataStart);

  const tensors: TensorMap = new Map();
  for (const entry of entries) {
    if (entry.dtype !== 'F32' && entry.dtype !== 'F16' && entry.dtype !== 'BF16') continue; // ignorable, vetted in parseHeader
    const dtype: WeightsDtype = entry.dtype;
    const count = elementCount(entry.shape);
    const bytes = new Uint8Array(buf, dataStart + entry.begin, entry.end - entry.begin);
    tensors.set(entry.name, { shape: entry.shape, data: decodeToFloat32(bytes, dtype, count), dtype });
  }
  return tensors;
}

function parseHeader(headerBytes: Uint8Array): HeaderEntry[] {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (cause) {
    throw new WeightsFormatError(
      'bad-header',
      `safetensors header is not valid UTF-8 JSON: ${(cause as Error).message}`,
    );
  }
  if (!isPlainObject(header)) {
    throw new WeightsFormatError(
      'bad-header',
      'safetensors header must be a JSON object mapping tensor names to {dtype, shape, data_offsets}',
    );
  }

  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isPlainObject(info))
        throw new WeightsFormatError('bad-header', 'safetensors __metadata__ must be an object');
      continue;
    }
    if (!isPlainObject(info))
      throw new WeightsFormatError('bad-header', `safetensors entry "${name}" must be an object`);
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string')
      throw new WeightsFormatError('bad-header', `tensor "${name}" has no dtype string`);
    if (!isValidShape(shape))
      throw new WeightsFormatError('bad-header', `tensor "${name}" has an invalid shape ${preview(shape)}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((value): value is number => Number.isSafeInteger(value) && (value as number) >= 0)
    ) {
      throw new WeightsFormatError(
        'bad-offsets',
        `tensor "${name}" has invalid data_offsets ${preview(offsets)}; expected [begin, end] byte offsets`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const itemBytes = BYTES_PER_ELEMENT[dtype];
    if (itemBytes === undefined) {
      throw new WeightsFormatError(
        'unsupported-dtype',
        `tensor "${name}" has unknown dtype "${dtype}"; only F32, F16 and BF16 are supported`,
      );
    }
    if (
      dtype !== 'F32' &&
      dtype !== 'F16' &&
      dtype !== 'BF16' &&
      !(INTEGER_DTYPES.has(dtype) && isIgnorableIntegerTensor(name))
    ) {
      throw new WeightsFormatError(
        'unsupported-dtype',
        `tensor "${name}" has dtype ${dtype}; only F32, F16 and BF16 are supported`,
      );
    }
    const expectedBytes = elementCount(shape) * itemBytes;
    if (end < begin || end - begin !== expectedBytes) {
      throw new WeightsFormatError(
        'bad-offsets',
        `tensor "${name}" (${dtype} ${JSON.stringify(shape)}) needs ${expectedBytes} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape, begin, end });
  }
  return entries;
}

function validateOffsets(entries: readonly HeaderEntry[], dataBytes: number): void {
  const byPosition = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: HeaderEntry | undefined;
  let lastEmpty: HeaderEntry | undefined;
  for (const entry of byPosition) {
    if (entry.begin === entry.end) {
      lastEmpty = entry; // empty tensors occupy no bytes, so cannot collide
      continue;
    }
    if (previous && entry.begin < previous.end) {
      throw new WeightsFormatError(
        'bad-offsets',
        `tensors "${previous.name}" [${previous.begin}, ${previous.end}) and "${entry.name}" [${entry.begin}, ${entry.end}) overlap`,
      );
    }
    previous = entry;
  }
  // Offsets that are self-consistent but run past the end almost always mean an interrupted download.
  if (previous && previous.end > dataBytes) {
    throw new WeightsFormatError(
      'truncated',
      `tensor "${previous.name}" ends at data byte ${previous.end} but the file holds only ${dataBytes} data bytes (file truncated?)`,
    );
  }
  // Even an empty tensor needs its offset inside the data: no view can start past the end of the buffer.
  if (lastEmpty && lastEmpty.begin > dataBytes) {
    throw new WeightsFormatError(
      'bad-offsets',
      `empty tensor "${lastEmpty.name}" sits at data byte ${lastEmpty.begin}, past the ${dataBytes} data bytes of the file`,
    );
  }
}

/** A header value for a message: JSON.stringify overflows the stack on deep nesting, and a long one is cut. */
function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    return '(too deeply nested to show)';
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
