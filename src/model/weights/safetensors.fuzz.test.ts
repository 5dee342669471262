/**
 * Fuzzes the safetensors reader with mutated valid files, generated headers that lie, deep nesting and random
 * bytes: every input must end, quickly, in tensors or a WeightsFormatError, never in another exception.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  FUZZ_TIMEOUT_MS,
  FuzzRecorder,
  INTERESTING_INTEGERS,
  type Seed,
  behindMagic,
  concatBytes,
  deeplyNestedJson,
  fuzzParameters,
  hexPreview,
  shortPrinted,
  sometimes,
  mutatedSeed,
  toArrayBuffer,
  utf8,
  writeSafetensors,
} from '../../testing/fuzz';
import { parseSafetensors } from './safetensors';
import { WeightsFormatError, elementCount } from './tensorMap';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url)));

const ITEM_BYTES: Record<string, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  U8: 1,
  F64: 8,
  BOOL: 1,
};

interface HeaderTensor {
  name: string;
  dtype: string;
  shape: number[];
}

/** Header text written by hand, so that duplicate names survive, with offsets packed in order. */
function headerText(
  tensors: readonly HeaderTensor[],
  metadata?: string,
): { text: string; dataBytes: number } {
  let offset = 0;
  const parts = tensors.map(({ name, dtype, shape }) => {
    const exact = elementCount(shape) * (ITEM_BYTES[dtype] ?? 4);
    // Absurd shapes (negative, fractional, past 2^53) get a plausible span, so the shape is what is wrong.
    const length = Number.isSafeInteger(exact) && exact >= 0 ? exact : 4;
    const entry = `${JSON.stringify(name)}:{"dtype":${JSON.stringify(dtype)},"shape":${JSON.stringify(shape)},"data_offsets":[${offset},${offset + length}]}`;
    offset += length;
    return entry;
  });
  if (metadata !== undefined) parts.unshift(`"__metadata__":${metadata}`);
  return { text: `{${parts.join(',')}}`, dataBytes: offset };
}

/** A seed with its structure marked: the length prefix, the header and each tensor's end. */
function seedOf(bytes: Uint8Array): Seed {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const dataStart = 8 + headerLength;
  const boundaries = [0, 4, 8, 9, dataStart - 1, dataStart, bytes.length - 1];
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart))) as Record<
      string,
      { data_offsets?: [number, number] }
    >;
    for (const entry of Object.values(header)) {
      if (entry.data_offsets)
        boundaries.push(dataStart + entry.data_offsets[0], dataStart + entry.data_offsets[1]);
    }
  } catch {
    // a seed that is already broken keeps the generic boundaries
  }
  return {
    bytes,
    regions: [
      [0, 8],
      [8, dataStart],
      [dataStart, bytes.length],
    ],
    boundaries,
  };
}

function validFile(tensors: HeaderTensor[], metadata?: string): Uint8Array {
  const { text, dataBytes } = headerText(tensors, metadata);
  const data = new Uint8Array(dataBytes).map((_, i) => (i * 37) & 0xff);
  return writeSafetensors(text, data);
}

const SEEDS: Seed[] = [
  ...['mixed.safetensors', 'int32.safetensors', 'truncated.safetensors', 'lying-header.safetensors'].map(
    (name) => seedOf(fixture(name)),
  ),
  seedOf(
    validFile(
      [
        { name: 'conv1.weight', dtype: 'F32', shape: [2, 1, 3, 3] },
        { name: 'bn1.num_batches_tracked', dtype: 'I64', shape: [] },
        { name: 'fc.bias', dtype: 'F16', shape: [3] },
        { name: 'fc.weight', dtype: 'BF16', shape: [3, 2] },
        { name: 'empty', dtype: 'F32', shape: [0, 4] },
      ],
      '{"format":"pt"}',
    ),
  ),
  seedOf(validFile([{ name: 'w', dtype: 'F32', shape: [4] }])),
];

const dim = fc.oneof(
  { weight: 12, arbitrary: fc.nat(4) },
  { weight: 1, arbitrary: fc.constantFrom(...INTERESTING_INTEGERS.map(Number), -1, 1.5, 1e300) },
);

const tensorArbitrary: fc.Arbitrary<HeaderTensor> = fc.record({
  name: fc.oneof(
    fc.constantFrom('w', 'fc.weight', 'bn.num_batches_tracked', 'num_batches_tracked', '__metadata__', ''),
    fc.string({ maxLength: 6 }),
  ),
  dtype: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('F32', 'F16', 'BF16') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('I64', 'I32', 'U8', 'F64', 'BOOL', 'F8_E5M2', 'f32', '', 'constructor'),
    },
  ),
  shape: fc.array(dim, { maxLength: 4 }),
});

/** JSON values to splice into a header where a shape, dtype or offsets belong. */
const oddJson = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(
    '[0,18446744073709551616]',
    '[9007199254740993,9007199254740994]',
    '[-1,0]',
    '[4,0]',
    '[0,4,8]',
    '[2147483648]',
    '[65536,65536,65536]',
    '"F32"',
    'null',
    '{}',
  ),
);

/** Generated files: mostly-valid headers over data of roughly the right size, then one field replaced. */
const generatedFile = fc
  .record({
    tensors: fc.array(tensorArbitrary, { maxLength: 5 }),
    duplicate: fc.boolean(),
    metadata: sometimes(
      fc.oneof(
        { weight: 3, arbitrary: fc.constant('{"format":"pt"}') },
        { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
      ),
      2,
    ),
    dataDelta: fc.oneof(
      { weight: 4, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: -9, max: 9 }) },
    ),
    replace: sometimes(
      fc.record({
        field: fc.constantFrom('"shape":', '"data_offsets":', '"dtype":'),
        value: oddJson,
        nth: fc.nat(4),
      }),
      3,
    ),
    lengthLie: sometimes(fc.constantFrom(...INTERESTING_INTEGERS), 8),
  })
  .map(({ tensors, duplicate, metadata, dataDelta, replace, lengthLie }) => {
    const all = duplicate && tensors[0] ? [...tensors, tensors[0]] : tensors;
    let { text, dataBytes } = headerText(all, metadata);
    if (!Number.isSafeInteger(dataBytes) || dataBytes > 4096) dataBytes = 64;
    if (replace) {
      const positions = [...text.matchAll(new RegExp(replace.field, 'g'))].map((m) => m.index);
      const at = positions[replace.nth % Math.max(1, positions.length)];
      if (at !== undefined) {
        const start = at + replace.field.length;
        // The old value ends at the next `,"` or `}`; values here never contain those.
        const end = text.slice(start).search(/,"|\}/);
        text = text.slice(0, start) + replace.value + text.slice(start + Math.max(0, end));
      }
    }
    return writeSafetensors(text, new Uint8Array(Math.max(0, dataBytes + dataDelta)), lengthLie);
  });

/** Deep nesting where the reader expects a shape, offsets, metadata, or the whole header. */
const deeplyNested = fc
  .record({
    depth: fc.integer({ min: 1, max: 50_000 }),
    where: fc.constantFrom('shape', 'offsets', 'metadata', 'root'),
  })
  .map(({ depth, where }) => {
    const nested = deeplyNestedJson(depth);
    const header = {
      shape: `{"w":{"dtype":"F32","shape":${nested},"data_offsets":[0,0]}}`,
      offsets: `{"w":{"dtype":"F32","shape":[],"data_offsets":${nested}}}`,
      metadata: `{"__metadata__":{"a":${nested}}}`,
      root: nested,
    }[where];
    return writeSafetensors(header);
  });

/** A plausible length prefix and a `{`, then garbage. */
const garbageHeader = fc
  .record({ tail: behindMagic([0x7b], 300), lie: fc.integer({ min: -4, max: 4 }) })
  .map(({ tail, lie }) => {
    const out = concatBytes(new Uint8Array(8), tail);
    new DataView(out.buffer).setUint32(0, Math.max(0, tail.length + lie), true);
    return out;
  });

const anyInput = shortPrinted(
  fc.oneof(
    { weight: 5, arbitrary: mutatedSeed(SEEDS) },
    { weight: 4, arbitrary: generatedFile },
    { weight: 1, arbitrary: deeplyNested },
    { weight: 1, arbitrary: garbageHeader },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  ),
);

const hex = (bytes: Uint8Array) =>
  Buffer.from(bytes.subarray(0, 256)).toString('hex') + (bytes.length > 256 ? '…' : '');

/** The property itself: a result whose tensors match their shapes, or a WeightsFormatError. */
function check(recorder: FuzzRecorder, bytes: Uint8Array): void {
  const outcome = recorder.run(
    () => parseSafetensors(toArrayBuffer(bytes)),
    () => hexPreview(bytes),
  );
  if (!outcome.ok) return;
  for (const [name, tensor] of outcome.value) {
    expect(['F32', 'F16', 'BF16'], name).toContain(tensor.dtype);
    expect(tensor.data.length, name).toBe(elementCount(tensor.shape));
    // Half floats widen to float32: never more than twice the file's bytes.
    expect(tensor.data.byteLength, name).toBeLessThanOrEqual(2 * bytes.length);
  }
}

describe('parseSafetensors fuzz', () => {
  it(
    'fuzz: every input ends in tensors or a WeightsFormatError, quickly',
    () => {
      const recorder = new FuzzRecorder('parseSafetensors');
      fc.assert(
        fc.property(anyInput, (bytes) => check(recorder, bytes)),
        fuzzParameters(),
      );
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'fuzz: huge declared sizes are refused with a WeightsFormatError before anything is allocated',
    () => {
      const recorder = new FuzzRecorder('parseSafetensors (huge sizes)');
      const huge = [
        writeSafetensors('{}', new Uint8Array(), (1n << 64n) - 1n),
        writeSafetensors('{}', new Uint8Array(), 100n * 1024n * 1024n),
        writeSafetensors({ w: { dtype: 'F32', shape: [2 ** 31], data_offsets: [0, 2 ** 33] } }),
        writeSafetensors({ w: { dtype: 'F32', shape: [2 ** 26, 2 ** 26], data_offsets: [0, 2 ** 54] } }),
        writeSafetensors({ w: { dtype: 'F32', shape: [1], data_offsets: [2 ** 40, 2 ** 40 + 4] } }),
        writeSafetensors({ w: { dtype: 'F32', shape: [0], data_offsets: [2 ** 40, 2 ** 40] } }),
        writeSafetensors(
          { w: { dtype: 'F16', shape: [2 ** 30], data_offsets: [0, 2 ** 31] } },
          new Uint8Array(16),
        ),
        writeSafetensors(`{"w":{"dtype":"F32","shape":${deeplyNestedJson(200_000)},"data_offsets":[0,0]}}`),
        writeSafetensors(`{"w":{"dtype":"F32","shape":[],"data_offsets":${deeplyNestedJson(200_000)}}}`),
        utf8('garbage'),
      ];
      for (const bytes of huge) {
        const outcome = recorder.run(
          () => parseSafetensors(toArrayBuffer(bytes)),
          () => hex(bytes),
        );
        expect(outcome.ok ? null : outcome.error).toBeInstanceOf(WeightsFormatError);
      }
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});
