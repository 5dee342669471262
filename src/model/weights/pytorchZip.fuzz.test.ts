/**
 * Fuzzes the PyTorch checkpoint reader (zip container and restricted unpickler) with mutated torch.save files,
 * generated checkpoints that lie about sizes, shapes and strides, and raw pickles: every input must end,
 * quickly, in tensors or a WeightsFormatError, never in another exception or a huge allocation.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { type Zippable, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import {
  FUZZ_TIMEOUT_MS,
  FuzzRecorder,
  INTERESTING_INTEGERS,
  PICKLE,
  type PickledTensor,
  type Seed,
  behindMagic,
  concatBytes,
  contiguousStrides,
  deeplyNestedPickle,
  fuzzParameters,
  hexPreview,
  mutatedSeed,
  pickleOps,
  shortPrinted,
  toArrayBuffer,
  utf8,
  writeStateDictPickle,
  zipLayout,
} from '../../testing/fuzz';
import { PickleGlobal, type PickleValue, unpickle } from './pickle';
import { parsePyTorchCheckpoint } from './pytorchZip';
import { WeightsFormatError, elementCount } from './tensorMap';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url)));

const zipSeed = (bytes: Uint8Array): Seed => ({ bytes, ...zipLayout(bytes) });

const ITEM_BYTES: Record<string, number> = {
  FloatStorage: 4,
  HalfStorage: 2,
  BFloat16Storage: 2,
  LongStorage: 8,
  IntStorage: 4,
  DoubleStorage: 8,
  ByteStorage: 1,
};

interface Checkpoint {
  tensors: PickledTensor[];
  /** Storage key -> bytes of its record. */
  records: Map<string, Uint8Array>;
  prefix: string;
  byteorder?: string;
  compress: boolean;
  extra: string[];
}

/** A zip as torch.save writes it: <prefix>data.pkl, <prefix>data/<key>, <prefix>version. */
function writeCheckpoint(c: Checkpoint, pickle = writeStateDictPickle(c.tensors)): Uint8Array {
  const level = c.compress ? 6 : 0;
  const files: Zippable = { [`${c.prefix}data.pkl`]: [pickle, { level }] };
  for (const [key, bytes] of c.records) files[`${c.prefix}data/${key}`] = [bytes, { level }];
  files[`${c.prefix}version`] = [utf8('3\n'), { level: 0 }];
  if (c.byteorder !== undefined) files[`${c.prefix}byteorder`] = [utf8(c.byteorder), { level: 0 }];
  for (const name of c.extra) files[name] = [new Uint8Array([1]), { level: 0 }];
  return zipSync(files);
}

const dim = fc.oneof(
  { weight: 10, arbitrary: fc.nat(4) },
  { weight: 1, arbitrary: fc.constantFrom(...INTERESTING_INTEGERS) },
);

/** A storage key: mostly a string, sometimes another pickled value in its place. */
const keyArbitrary: fc.Arbitrary<PickledTensor['key']> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('0', '1', '2') },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant({ raw: pickleOps.int(1n << 60n) }), // a bigint
      fc.constant({ raw: pickleOps.int(7) }),
      fc.constant({ raw: [PICKLE.EMPTY_LIST, PICKLE.DUP, PICKLE.APPEND] as number[] }), // a list that contains itself
      fc
        .integer({ min: 1, max: 10_000 })
        .map((depth) => ({ raw: [...deeplyNestedPickle(depth, 'append').subarray(2, -1)] })),
      fc.constant({ raw: [PICKLE.EMPTY_DICT] as number[] }),
      fc.constant({ raw: [PICKLE.NONE] as number[] }),
    ),
  },
);

const tensorArbitrary = fc
  .record({
    name: fc.oneof(
      fc.constantFrom('w', 'fc.weight', 'bn.num_batches_tracked', 'state_dict'),
      fc.string({ maxLength: 4 }),
    ),
    storageType: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('FloatStorage', 'HalfStorage', 'BFloat16Storage') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'LongStorage',
          'IntStorage',
          'DoubleStorage',
          'ByteStorage',
          'Storage',
          'system',
        ),
      },
    ),
    key: keyArbitrary,
    shape: fc.array(dim, { maxLength: 3 }),
    strides: fc.constantFrom('contiguous', 'random', 'zero', 'transposed'),
    randomStrides: fc.array(dim, { minLength: 3, maxLength: 3 }),
    offset: fc.oneof({ weight: 5, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: dim }),
    numel: fc.oneof(
      { weight: 6, arbitrary: fc.constant('exact' as const) },
      { weight: 1, arbitrary: fc.constant('short' as const) },
      { weight: 1, arbitrary: dim },
    ),
    parameter: fc.boolean(),
  })
  .map((t): PickledTensor => {
    const shape = t.shape.map(Number);
    const count = elementCount(shape);
    const strides =
      t.strides === 'contiguous'
        ? contiguousStrides(shape)
        : t.strides === 'zero'
          ? shape.map(() => 0)
          : t.strides === 'transposed'
            ? contiguousStrides(shape).reverse()
            : t.randomStrides.slice(0, shape.length).map(Number);
    const offset = Number(t.offset);
    const span = shape.reduce((sum, d, axis) => sum + (d - 1) * (strides[axis] ?? 0), offset) + 1;
    const needed = count === 0 ? offset : span;
    const numel =
      t.numel === 'exact' ? needed : t.numel === 'short' ? Math.max(0, needed - 1) : Number(t.numel);
    return {
      name: t.name,
      storageType: t.storageType,
      key: t.key,
      numel: Number.isSafeInteger(numel) ? numel : 1n << 62n,
      offset: t.offset,
      shape: t.shape,
      stride: strides,
      parameter: t.parameter,
    };
  });

/** Generated checkpoints: storages sized to what the pickle says (or a little off), then zipped. */
const generatedCheckpoint = fc
  .record({
    tensors: fc.array(tensorArbitrary, { minLength: 1, maxLength: 4 }),
    recordDelta: fc.oneof(
      { weight: 6, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: -4, max: 4 }) },
    ),
    prefix: fc.constantFrom('archive/', 'model/', '', 'a/b/'),
    byteorder: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(undefined, 'little') },
      { weight: 1, arbitrary: fc.constantFrom('big', 'little\n', 'middle') },
    ),
    compress: fc.boolean(),
    extra: fc.subarray(['archive/constants.pkl', 'archive/code/x.py', 'data.pkl', 'archive/data/9']),
  })
  .map(({ tensors, recordDelta, prefix, byteorder, compress, extra }) => {
    const records = new Map<string, Uint8Array>();
    for (const t of tensors) {
      if (typeof t.key !== 'string' || records.has(t.key)) continue;
      const bytes = Number(t.numel) * (ITEM_BYTES[t.storageType] ?? 4) + recordDelta;
      records.set(
        t.key,
        new Uint8Array(Number.isSafeInteger(bytes) && bytes >= 0 && bytes < 1 << 16 ? bytes : 8).fill(0x3c),
      );
    }
    return { tensors, records, prefix, byteorder, compress, extra } satisfies Checkpoint;
  });

const SMALL_CHECKPOINT: Checkpoint = {
  tensors: [
    {
      name: 'conv.weight',
      storageType: 'FloatStorage',
      key: '0',
      numel: 12,
      offset: 0,
      shape: [2, 3, 2],
      stride: [6, 2, 1],
      parameter: true,
    },
    { name: 'conv.bias', storageType: 'HalfStorage', key: '1', numel: 4, offset: 1, shape: [3], stride: [1] },
    {
      name: 'view',
      storageType: 'FloatStorage',
      key: '0',
      numel: 12,
      offset: 0,
      shape: [3, 2],
      stride: [1, 3],
    },
    {
      name: 'bn.num_batches_tracked',
      storageType: 'LongStorage',
      key: '2',
      numel: 1,
      offset: 0,
      shape: [],
      stride: [],
    },
  ],
  records: new Map([
    ['0', new Uint8Array(48).fill(0x3f)],
    ['1', new Uint8Array(8).fill(0x3c)],
    ['2', new Uint8Array(8)],
  ]),
  prefix: 'archive/',
  byteorder: 'little',
  compress: false,
  extra: [],
};

const SEEDS: Seed[] = [
  ...[
    'small.pth',
    'byteorder-little.pth',
    'checkpoint-model.pth',
    'checkpoint-state-dict.pth',
    'int32.pth',
    'evil-eval-proto4.pth',
    'torchscript.pt',
    'truncated.pth',
  ].map((name) => zipSeed(fixture(name))),
  zipSeed(writeCheckpoint(SMALL_CHECKPOINT)),
  zipSeed(writeCheckpoint({ ...SMALL_CHECKPOINT, compress: true })),
];

/** Mutations of the pickle alone, zipped back with the storages it names: reaches the unpickler's depths. */
const PICKLE_SEEDS: Seed[] = [{ bytes: writeStateDictPickle(SMALL_CHECKPOINT.tensors) }];
const mutatedPickleInZip = fc
  .record({ pickle: mutatedSeed(PICKLE_SEEDS, 6), compress: fc.boolean() })
  .map(({ pickle, compress }) => writeCheckpoint({ ...SMALL_CHECKPOINT, compress }, pickle));

/** Pickles nested deep, or of random opcodes, as a checkpoint's data.pkl. */
const strangePickleInZip = fc
  .oneof(
    fc
      .record({
        depth: fc.integer({ min: 1, max: 10_000 }),
        style: fc.constantFrom('append' as const, 'appends' as const, 'tuple' as const),
      })
      .map(({ depth, style }) => deeplyNestedPickle(depth, style)),
    randomPickle(),
  )
  .map((pickle) => writeCheckpoint({ ...SMALL_CHECKPOINT, compress: false }, pickle));

/** Opcode soup: opcodes the unpickler knows, each with a plausible or absurd argument. */
function randomPickle(): fc.Arbitrary<Uint8Array> {
  const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  const length = fc.oneof(fc.nat(8), fc.constantFrom(0x7fffffff, 0xffffffff, 0x80000000, 65));
  const op = fc.oneof(
    fc.constantFrom(
      [PICKLE.MARK],
      [PICKLE.EMPTY_LIST],
      [PICKLE.EMPTY_DICT],
      [PICKLE.EMPTY_TUPLE],
      [PICKLE.APPEND],
      [PICKLE.APPENDS],
      [PICKLE.TUPLE],
      [PICKLE.TUPLE1],
      [PICKLE.TUPLE2],
      [PICKLE.SETITEM],
      [PICKLE.SETITEMS],
      [PICKLE.REDUCE],
      [PICKLE.BINPERSID],
      [PICKLE.DUP],
      [PICKLE.NONE],
      [PICKLE.NEWFALSE],
      [0x62], // BUILD
      [0x30], // POP
      [0x31], // POP_MARK
      [0x94], // MEMOIZE
      [0x93], // STACK_GLOBAL
      pickleOps.global('collections', 'OrderedDict'),
      pickleOps.global('torch._utils', '_rebuild_tensor_v2'),
      pickleOps.global('torch._utils', '_rebuild_parameter'),
      pickleOps.global('torch', 'FloatStorage'),
      pickleOps.global('os', 'system'),
      pickleOps.str('storage'),
      pickleOps.str('0'),
      [PICKLE.BINPUT, 0],
      [PICKLE.BINGET, 0],
      [0x95, 8, 0, 0, 0, 0, 0, 0, 0], // FRAME
    ),
    fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }).map((n) => pickleOps.int(n)),
    length.map((n) => [PICKLE.BINUNICODE, ...u32(n), 0x61]),
    length.map((n) => [PICKLE.BINBYTES, ...u32(n), 0x61]),
    length.map((n) => [0x8b, ...u32(n), 0x01]), // LONG4
    length.map((n) => [0x8d, ...u32(n), ...u32(0), 0x61]), // BINUNICODE8
    length.map((n) => [0x54, ...u32(n)]), // BINSTRING (signed length)
    length.map((n) => [0x6a, ...u32(n)]), // LONG_BINGET
    fc.nat(255).map((b) => [b]),
  );
  return fc
    .array(op, { maxLength: 40 })
    .map((ops) => new Uint8Array([PICKLE.PROTO, 2, ...ops.flat(), PICKLE.STOP]));
}

const anyInput = shortPrinted(
  fc.oneof(
    { weight: 5, arbitrary: mutatedSeed(SEEDS) },
    { weight: 4, arbitrary: generatedCheckpoint.map((c) => writeCheckpoint(c)) },
    { weight: 3, arbitrary: mutatedPickleInZip },
    { weight: 2, arbitrary: strangePickleInZip },
    { weight: 1, arbitrary: behindMagic([0x50, 0x4b, 0x03, 0x04], 200) },
    { weight: 1, arbitrary: behindMagic([0x80, 0x02], 64) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  ),
);

function check(recorder: FuzzRecorder, bytes: Uint8Array): void {
  const outcome = recorder.run(
    () => parsePyTorchCheckpoint(toArrayBuffer(bytes)),
    () => hexPreview(bytes),
  );
  if (!outcome.ok) return;
  let fresh = 0;
  for (const [name, tensor] of outcome.value) {
    expect(['F32', 'F16', 'BF16'], name).toContain(tensor.dtype);
    expect(tensor.data.length, name).toBe(elementCount(tensor.shape));
    if (tensor.data.buffer.byteLength !== bytes.length) fresh += tensor.data.byteLength;
  }
  // Decoding (half to float: twice the inflated records) and gathering views (4 bytes an element, at most one
  // element per byte of the file) may copy, but never beyond that.
  let inflated = 0;
  unzipSync(bytes, {
    filter: (file) => {
      inflated += file.originalSize; // what the directory declares; the reader checked the records it used
      return false;
    },
  });
  expect(fresh).toBeLessThanOrEqual(2 * inflated + 4 * bytes.length);
}

/**
 * A zip64 end record claiming 2^32 - 1 entries whose directory starts at the end of the file: every entry
 * past the real ones then reads as zeros, which fflate accepts, so only a count check stops the loop.
 */
function zip64WithHugeCount(): Uint8Array {
  const base = zipSync({
    'archive/data.pkl': [new Uint8Array([PICKLE.PROTO, 2, PICKLE.EMPTY_DICT, PICKLE.STOP]), { level: 0 }],
  });
  const eocdAt = base.length - 22;
  const total = base.length + 56 + 20;
  const zip64 = new Uint8Array(56 + 20);
  const view = new DataView(zip64.buffer);
  view.setUint32(0, 0x06064b50, true); // zip64 end of central directory record
  view.setBigUint64(4, 44n, true);
  view.setBigUint64(24, 0xffffffffn, true); // entries on this disk
  view.setBigUint64(32, 0xffffffffn, true); // entries in total
  view.setBigUint64(40, 46n, true);
  view.setBigUint64(48, BigInt(total), true); // the directory "starts" at the end of the file
  view.setUint32(56, 0x07064b50, true); // zip64 locator
  view.setBigUint64(64, BigInt(eocdAt), true);
  return concatBytes(base.subarray(0, eocdAt), zip64, base.subarray(eocdAt));
}

/** Rewrites the uncompressed size that the central directory gives for `name`. */
function claimOriginalSize(zip: Uint8Array, name: string, originalSize: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const eocd = out.length - 22;
  let at = view.getUint32(eocd + 16, true);
  for (let i = 0; i < view.getUint16(eocd + 10, true); i++) {
    const nameLength = view.getUint16(at + 28, true);
    if (new TextDecoder().decode(out.subarray(at + 46, at + 46 + nameLength)) === name) {
      view.setUint32(at + 24, originalSize, true);
    }
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

/** A deflated checkpoint whose record `name` claims to inflate to `originalSize` bytes. */
function deflatedClaiming(name: string, originalSize: number, numel = 4): Uint8Array {
  const zip = writeCheckpoint({
    ...SMALL_CHECKPOINT,
    tensors: [
      { name: 'w', storageType: 'FloatStorage', key: '0', numel, offset: 0, shape: [numel], stride: [1] },
    ],
    records: new Map([['0', new Uint8Array(4096)]]),
    compress: true,
  });
  return claimOriginalSize(zip, name, originalSize);
}

/** data.pkl of `size` EMPTY_LIST opcodes, deflated: a small file whose pickle would fill the heap. */
function pickleBomb(size: number): Uint8Array {
  const pickle = new Uint8Array(size).fill(PICKLE.EMPTY_LIST);
  pickle.set([PICKLE.PROTO, 2]);
  pickle[size - 1] = PICKLE.STOP;
  return writeCheckpoint({ ...SMALL_CHECKPOINT, compress: true }, pickle);
}

function hugeTensor(shape: number[], stride: number[], numel = 1): Uint8Array {
  return writeCheckpoint({
    ...SMALL_CHECKPOINT,
    tensors: [{ name: 'w', storageType: 'FloatStorage', key: '0', numel, offset: 0, shape, stride }],
    records: new Map([['0', new Uint8Array(4 * Math.min(numel, 16))]]),
  });
}

describe('parsePyTorchCheckpoint fuzz', () => {
  it(
    'fuzz: every input ends in tensors or a WeightsFormatError, quickly',
    () => {
      const recorder = new FuzzRecorder('parsePyTorchCheckpoint');
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
      const recorder = new FuzzRecorder('parsePyTorchCheckpoint (huge sizes)');
      const { str, int, tuple } = pickleOps;
      const inZip = (pickle: number[]) =>
        writeCheckpoint({ ...SMALL_CHECKPOINT }, new Uint8Array([PICKLE.PROTO, 2, ...pickle, PICKLE.STOP]));
      const huge: Array<[string, Uint8Array]> = [
        ['zip64 entry count 2^32-1', zip64WithHugeCount()],
        ['deflated storage claiming 1 GiB', deflatedClaiming('archive/data/0', 2 ** 30, 2 ** 28)],
        ['deflated storage claiming 4 GiB - 4', deflatedClaiming('archive/data/0', 2 ** 32 - 4, 2 ** 30 - 1)],
        ['deflated data.pkl claiming 200 MB', deflatedClaiming('archive/data.pkl', 200e6)],
        ['a 16 MiB pickle bomb deflated into 16 KB', pickleBomb(16 * 1024 * 1024)],
        ['expanded tensor of 2^31 elements', hugeTensor([2 ** 31], [0])],
        ['expanded tensor of 2^40 elements', hugeTensor([2 ** 20, 2 ** 20], [0, 0])],
        ['expanded tensor of 2^26 elements', hugeTensor([2 ** 26], [0])],
        ['numel 2^62', hugeTensor([4], [1], 2 ** 62)],
        ['BINUNICODE of 2^32-1 bytes', inZip([PICKLE.BINUNICODE, 0xff, 0xff, 0xff, 0xff])],
        ['BINBYTES of 2^31 bytes', inZip([PICKLE.BINBYTES, 0, 0, 0, 0x80])],
        ['LONG4 of 2^32-1 bytes', inZip([0x8b, 0xff, 0xff, 0xff, 0xff])],
        ['BINUNICODE8 of 2^40 bytes', inZip([0x8d, 0, 0, 0, 0, 0, 1, 0, 0])],
        ['BINSTRING of -1 bytes', inZip([0x54, 0xff, 0xff, 0xff, 0xff])],
        ['lists nested 20,000 deep', writeCheckpoint(SMALL_CHECKPOINT, deeplyNestedPickle(20_000, 'append'))],
        [
          'lists nested 20,000 deep by APPENDS',
          writeCheckpoint(SMALL_CHECKPOINT, deeplyNestedPickle(20_000, 'appends')),
        ],
        ['tuples nested 20,000 deep', writeCheckpoint(SMALL_CHECKPOINT, deeplyNestedPickle(20_000, 'tuple'))],
        [
          'a storage key nested 20,000 deep',
          inZip([
            ...tuple([
              str('storage'),
              pickleOps.global('torch', 'FloatStorage'),
              [...deeplyNestedPickle(20_000, 'append').subarray(2, -1)],
              str('cpu'),
              int(1),
            ]),
            PICKLE.BINPERSID,
          ]),
        ],
      ];
      for (const [what, bytes] of huge) {
        const outcome = recorder.run(
          () => parsePyTorchCheckpoint(toArrayBuffer(bytes)),
          () => what,
        );
        expect(outcome.ok ? null : outcome.error, what).toBeInstanceOf(WeightsFormatError);
        if (process.env.FUZZ_VERBOSE)
          console.log(what, outcome.ms.toFixed(1), outcome.ok ? '' : String(outcome.error));
      }
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('unpickle fuzz', () => {
  // Every global is allowed and REDUCE returns its arguments: the stream, not the allowlist, is on trial.
  const permissive = {
    findGlobal: (module: string, name: string) =>
      new PickleGlobal(module, name, (args: PickleValue[]) => args),
    persistentLoad: (pid: PickleValue) => pid,
  };

  it(
    'fuzz: every pickle ends in a value or a WeightsFormatError, quickly',
    () => {
      const recorder = new FuzzRecorder('unpickle');
      const pickles = shortPrinted(
        fc.oneof(
          { weight: 3, arbitrary: randomPickle() },
          { weight: 3, arbitrary: mutatedSeed(PICKLE_SEEDS, 6) },
          { weight: 1, arbitrary: behindMagic([PICKLE.PROTO, 2], 64) },
        ),
      );
      fc.assert(
        fc.property(pickles, (bytes) => {
          recorder.run(
            () => unpickle(bytes, permissive),
            () => hexPreview(bytes),
          );
        }),
        fuzzParameters(),
      );
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});
