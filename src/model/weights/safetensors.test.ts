import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from './safetensors';
import { WeightsFormatError, type WeightsFormatErrorCode } from './tensorMap';

function fixture(name: string): ArrayBuffer {
  const bytes = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

type ExpectedValue = number | 'inf' | '-inf' | 'nan';
type Expected = Record<string, { dtype: string; shape: number[]; values: ExpectedValue[] }>;

function expectedFixture(name: string): Expected {
  return JSON.parse(new TextDecoder().decode(fixture(name))) as Expected;
}

function toNumber(value: ExpectedValue): number {
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  if (value === 'nan') return NaN;
  return value;
}

/** Builds a safetensors file from a header object and data bytes, optionally with a lying length. */
function buildSafetensors(
  header: unknown,
  data: Uint8Array = new Uint8Array(),
  headerLength?: bigint,
): ArrayBuffer {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out.buffer;
}

function expectFormatError(parse: () => unknown, code: WeightsFormatErrorCode, message?: RegExp): void {
  let caught: unknown;
  try {
    parse();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WeightsFormatError);
  expect((caught as WeightsFormatError).code).toBe(code);
  if (message) expect((caught as Error).message).toMatch(message);
}

/** Independent, arithmetic-only half decoder to check the bit-twiddling one against. */
function referenceHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

describe('parseSafetensors', () => {
  it('decodes F32, F16 and BF16 exactly as PyTorch does, and skips num_batches_tracked', () => {
    const tensors = parseSafetensors(fixture('mixed.safetensors'));
    const expected = expectedFixture('mixed.expected.json');
    expect([...tensors.keys()]).toEqual(['half', 'float', 'bfloat', 'empty']);
    for (const [name, want] of Object.entries(expected)) {
      const got = tensors.get(name);
      expect(got, name).toBeDefined();
      expect(got?.shape).toEqual(want.shape);
      expect(got?.dtype).toBe(want.dtype);
      // Object.is distinguishes -0 from 0 and matches NaN with NaN.
      const mismatches = want.values.filter(
        (value, i) => !Object.is(got?.data[i], Math.fround(toNumber(value))),
      );
      expect(mismatches, name).toEqual([]);
      expect(got?.data.length).toBe(want.values.length);
    }
    const half = tensors.get('half')?.data;
    expect(half?.[3]).toBe(65504);
    expect(half?.[5]).toBe(2 ** -24);
    expect(Object.is(half?.[9], -0)).toBe(true);
  });

  it('copies F32 data that starts at an unaligned offset and views aligned data without copying', () => {
    const file = fixture('mixed.safetensors');
    const unaligned = parseSafetensors(file).get('float');
    expect(unaligned?.data.buffer).not.toBe(file);
    expect(Array.from(unaligned?.data ?? [])).toEqual([
      0,
      1.5,
      -2.25,
      3.4028234663852886e38,
      Math.fround(1e-45),
      Math.fround(-0.1),
    ]);

    const values = new Float32Array([1, 2, 3, 4]);
    const header = JSON.stringify({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }).padEnd(
      64,
      ' ',
    );
    const aligned = buildSafetensors(header, new Uint8Array(values.buffer));
    const parsed = parseSafetensors(aligned).get('w');
    expect(parsed?.data.buffer).toBe(aligned);
    expect(Array.from(parsed?.data ?? [])).toEqual([1, 2, 3, 4]);
  });

  it('decodes every one of the 65536 half-precision bit patterns', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const file = buildSafetensors(
      { all: { dtype: 'F16', shape: [65536], data_offsets: [0, 131072] } },
      new Uint8Array(bits.buffer),
    );
    const data = parseSafetensors(file).get('all')?.data;
    const wrong = [...bits].filter(
      (b) =>
        !Object.is(data?.[b], referenceHalf(b)) &&
        !(Number.isNaN(data?.[b]) && Number.isNaN(referenceHalf(b))),
    );
    expect(wrong).toEqual([]);
  });

  it('decodes bfloat16 as the upper half of a float32', () => {
    const bits = new Uint16Array([0x3f80, 0xc000, 0x7f80, 0x0001, 0x8000, 0x4049]);
    const file = buildSafetensors(
      { b: { dtype: 'BF16', shape: [6], data_offsets: [0, 12] } },
      new Uint8Array(bits.buffer),
    );
    const data = parseSafetensors(file).get('b')?.data ?? new Float32Array();
    expect(Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length))).toEqual(
      [...bits].map((b) => (b << 16) >>> 0),
    );
  });

  describe('refuses malformed files', () => {
    it('too short to hold the length prefix', () => {
      expectFormatError(() => parseSafetensors(new ArrayBuffer(5)), 'truncated');
    });
    it('a truncated download', () => {
      expectFormatError(
        () => parseSafetensors(fixture('truncated.safetensors')),
        'truncated',
        /bfloat|empty|truncated/,
      );
    });
    it('a header length longer than the file', () => {
      expectFormatError(() => parseSafetensors(fixture('lying-header.safetensors')), 'truncated', /1000000/);
    });
    it('an absurd header length, without trying to allocate it', () => {
      expectFormatError(
        () => parseSafetensors(buildSafetensors('{}', undefined, 2n ** 40n)),
        'bad-header',
        /absurd/,
      );
      expectFormatError(
        () => parseSafetensors(buildSafetensors('{}', undefined, 200_000_000n)),
        'bad-header',
        /absurd/,
      );
      // Past 2^53 a double cannot even hold the claim; it is still named exactly, and refused just as fast.
      expectFormatError(
        () => parseSafetensors(buildSafetensors('{}', undefined, 2n ** 53n)),
        'bad-header',
        /header length 9007199254740992 bytes is absurd/,
      );
      expectFormatError(
        () => parseSafetensors(buildSafetensors('{}', undefined, 2n ** 64n - 1n)),
        'bad-header',
        /header length 18446744073709551615 bytes is absurd/,
      );
    });
    it('a header that is not JSON, or not an object', () => {
      expectFormatError(() => parseSafetensors(buildSafetensors('{"w": ')), 'bad-header', /JSON/);
      expectFormatError(() => parseSafetensors(buildSafetensors('[1, 2]')), 'bad-header');
      expectFormatError(
        () => parseSafetensors(buildSafetensors({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } })),
        'bad-header',
        /shape/,
      );
    });
    it('an unsupported dtype, naming the tensor and dtype', () => {
      expectFormatError(
        () => parseSafetensors(fixture('int32.safetensors')),
        'unsupported-dtype',
        /"weird".*I32/,
      );
      expectFormatError(
        () => parseSafetensors(buildSafetensors({ x: { dtype: 'F128', shape: [], data_offsets: [0, 16] } })),
        'unsupported-dtype',
        /"x".*F128/,
      );
      expectFormatError(
        () =>
          parseSafetensors(
            buildSafetensors({ steps: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, new Uint8Array(8)),
          ),
        'unsupported-dtype',
        /"steps".*I64/,
      );
    });
    it('offsets that do not match the shape, overlap, or are malformed', () => {
      const data = new Uint8Array(32);
      expectFormatError(
        () =>
          parseSafetensors(
            buildSafetensors({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, data),
          ),
        'bad-offsets',
        /needs 12 bytes/,
      );
      expectFormatError(
        () =>
          parseSafetensors(
            buildSafetensors(
              {
                a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
                b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
              },
              data,
            ),
          ),
        'bad-offsets',
        /"a".*"b".*overlap/,
      );
      expectFormatError(
        () =>
          parseSafetensors(
            buildSafetensors({ w: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, data),
          ),
        'bad-offsets',
      );
      expectFormatError(
        () =>
          parseSafetensors(buildSafetensors({ w: { dtype: 'F32', shape: [1], data_offsets: [4] } }, data)),
        'bad-offsets',
      );
      expectFormatError(
        () =>
          parseSafetensors(
            buildSafetensors({ w: { dtype: 'F32', shape: [16], data_offsets: [0, 64] } }, data),
          ),
        'truncated',
        /"w"/,
      );
    });
  });
});
