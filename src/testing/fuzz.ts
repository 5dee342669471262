/**
 * Shared tools of the fuzz tests (`*.fuzz.test.ts`): run count and seed from the environment, mutation
 * arbitraries over valid seed files, small writers for valid inputs, and a wrapper that times every case.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

import { WeightsFormatError } from '../model/weights/tensorMap';

/** Cases per parser: FUZZ_RUNS, 2,000 by default (what CI runs). */
export const FUZZ_RUNS = positiveInteger('FUZZ_RUNS', 2000);

/** Fixed by default so CI replays the same cases; FUZZ_SEED=random draws one, and every report prints it. */
export const FUZZ_SEED = fuzzSeed(process.env.FUZZ_SEED);

/** A case slower than this fails: a parser that allocated what a lying header claims would take longer. */
export const FUZZ_CASE_MS = positiveInteger('FUZZ_CASE_MS', 200);

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name}=${raw} is not a positive integer`);
  return value;
}

export function fuzzSeed(raw: string | undefined, now = Date.now()): number {
  if (raw === undefined || raw === '') return 42;
  // fast-check seeds are 32-bit integers; the clock's low bits change every millisecond.
  if (raw === 'random') return now % 0x7fffffff;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`FUZZ_SEED=${raw} is neither an integer nor "random"`);
  return value | 0;
}

/** A fuzz test's timeout: vitest's 2 minutes fit 2,000 cases, and `npm run fuzz` runs 100,000. */
export const FUZZ_TIMEOUT_MS = 120_000 + FUZZ_RUNS * 20;

/**
 * What `fc.assert` needs: the run count and seed above. A drawn seed is written out at once, unbuffered, so
 * that even a run that hangs (a synchronous loop never reaches a report) leaves its seed to replay.
 */
export function fuzzParameters(numRuns = FUZZ_RUNS): { seed: number; numRuns: number } {
  if (process.env.FUZZ_SEED === 'random') {
    process.stderr.write(
      `[fuzz] ${expect.getState().currentTestName ?? ''}: seed ${FUZZ_SEED}, ${numRuns} runs\n`,
    );
  }
  return { seed: FUZZ_SEED, numRuns };
}

/** Outcome of one case: the value it returned, or what it threw. */
export type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number };

/**
 * Times the cases of one parser, fails any case that throws something other than what it may throw or runs
 * longer than FUZZ_CASE_MS, and prints the count and worst time at the end.
 */
export class FuzzRecorder {
  cases = 0;
  worstMs = 0;
  /** How the cases ended: 'ok', or the error's code (or name): shows whether the fuzzer reaches deep code. */
  readonly endings = new Map<string, number>();

  constructor(
    readonly parser: string,
    /** What may escape; `() => false` for a function that must never throw. */
    readonly allowed: (error: unknown) => boolean = isWeightsFormatError,
    readonly limitMs = FUZZ_CASE_MS,
  ) {}

  /** The slowest case, printed with FUZZ_VERBOSE=1. */
  worstInput = '';
  /** GC pauses land on random cases; a slow case is measured again and only its fastest run counts. */
  retried = 0;

  run<T>(parse: () => T, describeInput?: () => string, discard?: (value: T) => void): Outcome<T> {
    this.trace(describeInput);
    let outcome = once(parse);
    for (let retry = 0; retry < 2 && outcome.ms > this.limitMs; retry++) {
      this.retried++;
      const again = once(parse);
      if (outcome.ok) discard?.(outcome.value);
      outcome = { ...again, ms: Math.min(outcome.ms, again.ms) };
    }
    return this.judge(outcome, describeInput);
  }

  async runAsync<T>(
    parse: () => Promise<T>,
    describeInput?: () => string,
    discard?: (value: T) => void,
  ): Promise<Outcome<T>> {
    this.trace(describeInput);
    let outcome = await onceAsync(parse);
    for (let retry = 0; retry < 2 && outcome.ms > this.limitMs; retry++) {
      this.retried++;
      const again = await onceAsync(parse);
      if (outcome.ok) discard?.(outcome.value);
      outcome = { ...again, ms: Math.min(outcome.ms, again.ms) };
    }
    return this.judge(outcome, describeInput);
  }

  /** FUZZ_TRACE=1 writes each case before running it: the last line names the case that crashed or hung. */
  private trace(describeInput?: () => string): void {
    if (process.env.FUZZ_TRACE)
      process.stderr.write(`[fuzz] ${this.parser} #${this.cases}: ${describeInput?.() ?? ''}\n`);
  }

  private judge<T>(outcome: Outcome<T>, describeInput?: () => string): Outcome<T> {
    this.cases++;
    if (outcome.ms > this.worstMs) {
      this.worstMs = outcome.ms;
      if (process.env.FUZZ_VERBOSE) this.worstInput = describeInput?.().slice(0, 160) ?? '';
    }
    const ending = outcome.ok ? 'ok' : endingOf(outcome.error);
    this.endings.set(ending, (this.endings.get(ending) ?? 0) + 1);
    const input = () => (describeInput ? ` on ${describeInput()}` : '');
    if (!outcome.ok && !this.allowed(outcome.error)) {
      const error = outcome.error;
      const what =
        error instanceof Error
          ? `${error.name}: ${error.message.slice(0, 300)} (${error.stack?.split('\n').slice(1, 4).join(' ').trim()})`
          : String(error);
      throw new Error(`${this.parser} let ${what.slice(0, 500)} escape${input()}`, { cause: error });
    }
    if (outcome.ms > this.limitMs) {
      throw new Error(`${this.parser} took ${outcome.ms.toFixed(0)} ms (limit ${this.limitMs})${input()}`);
    }
    return outcome;
  }

  report(): void {
    const endings = [...this.endings].sort((a, b) => b[1] - a[1]).map(([what, n]) => `${what} ${n}`);
    console.log(
      `[fuzz] ${this.parser}: ${this.cases} cases, worst ${this.worstMs.toFixed(1)} ms (${this.retried} slow runs measured again), seed ${FUZZ_SEED} (replay: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS}); endings: ${endings.join(', ')}`,
    );
    if (process.env.FUZZ_VERBOSE) console.log(`[fuzz] ${this.parser}: slowest input ${this.worstInput}`);
  }
}

function once<T>(parse: () => T): Outcome<T> {
  const start = performance.now();
  try {
    const value = parse();
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

async function onceAsync<T>(parse: () => Promise<T>): Promise<Outcome<T>> {
  const start = performance.now();
  try {
    const value = await parse();
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

function endingOf(error: unknown): string {
  if (error instanceof WeightsFormatError) return error.code;
  return error instanceof Error ? error.name : typeof error;
}

export const isWeightsFormatError = (error: unknown): boolean => error instanceof WeightsFormatError;

/** Copies bytes into an exactly sized ArrayBuffer, as a file read would give. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Mutations of valid seed files

/** A valid file to mutate, with the byte ranges where its structure lives (mutations favour those). */
export interface Seed {
  bytes: Uint8Array;
  /** [start, end) ranges worth aiming at: a header, a pickle inside a zip, a central directory. */
  regions?: ReadonlyArray<readonly [number, number]>;
  /** Offsets where a truncation ends a structure: after the length prefix, the header, each record. */
  boundaries?: readonly number[];
}

/** Integers that break parsers: zero, sign edges, 2^31, 2^32, 2^53 and 2^64 neighbours. */
export const INTERESTING_INTEGERS: readonly bigint[] = [
  0n,
  1n,
  2n,
  0x7fn,
  0x80n,
  0xffn,
  0x100n,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xfffffffen,
  0xffffffffn,
  0x100000000n,
  (1n << 53n) - 1n,
  1n << 53n,
  1n << 63n,
  (1n << 64n) - 1n,
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'boundary'; index: number; delta: number }
  | { kind: 'integer'; at: number; width: 1 | 2 | 4 | 8; value: bigint; little: boolean }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; from: number; length: number; to: number }
  | { kind: 'tail'; at: number; bytes: Uint8Array };

/** A position: `region` picks one of the seed's regions, or the whole file (one more choice than regions). */
const position = fc.record({ region: fc.nat(255), offset: fc.nat() });

const mutationArbitrary: fc.Arbitrary<{ mutation: Mutation; where: { region: number; offset: number } }> =
  fc.record({
    where: position,
    mutation: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('byte' as const),
          at: fc.nat(),
          value: fc.oneof(fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x2e, 0x5b, 0x7b, 0x22), fc.nat(255)),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('boundary' as const),
          index: fc.nat(),
          delta: fc.integer({ min: -2, max: 2 }),
        }),
      },
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('integer' as const),
          at: fc.nat(),
          width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
          value: fc.oneof(
            fc.constantFrom(...INTERESTING_INTEGERS),
            fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          ),
          little: fc.boolean(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(),
          bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('delete' as const),
          at: fc.nat(),
          length: fc.integer({ min: 1, max: 64 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('duplicate' as const),
          from: fc.nat(),
          length: fc.integer({ min: 1, max: 64 }),
          to: fc.nat(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('tail' as const),
          at: fc.nat(),
          bytes: fc.uint8Array({ maxLength: 64 }),
        }),
      },
    ),
  });

function applyMutation(
  seed: Seed,
  bytes: Uint8Array,
  step: { mutation: Mutation; where: { region: number; offset: number } },
) {
  const regions = seed.regions ?? [];
  const region = regions[step.where.region % (regions.length + 1)];
  // Positions are drawn as naturals and folded into the chosen region, so shrinking moves towards its start.
  const [start, end] =
    region && region[0] < bytes.length ? [region[0], Math.min(region[1], bytes.length)] : [0, bytes.length];
  const at = (n: number, inclusiveEnd = false) => {
    const span = end - start + (inclusiveEnd ? 1 : 0);
    return span <= 0 ? start : start + ((n + step.where.offset) % span);
  };
  const m = step.mutation;
  switch (m.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      const i = at(m.at);
      out[i] = (out[i] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'byte': {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      out[at(m.at)] = m.value;
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, at(m.at, true));
    case 'boundary': {
      const boundaries = seed.boundaries ?? [];
      if (boundaries.length === 0) return bytes.subarray(0, at(m.index, true));
      const cut = (boundaries[m.index % boundaries.length] ?? 0) + m.delta;
      return bytes.subarray(0, Math.max(0, Math.min(bytes.length, cut)));
    }
    case 'integer': {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      const i = at(m.at);
      for (let k = 0; k < m.width && i + k < out.length; k++) {
        const shift = BigInt(8 * (m.little ? k : m.width - 1 - k));
        out[i + k] = Number((m.value >> shift) & 0xffn);
      }
      return out;
    }
    case 'insert': {
      const i = at(m.at, true);
      return concatBytes(bytes.subarray(0, i), m.bytes, bytes.subarray(i));
    }
    case 'delete': {
      const i = at(m.at);
      return concatBytes(bytes.subarray(0, i), bytes.subarray(Math.min(bytes.length, i + m.length)));
    }
    case 'duplicate': {
      const from = at(m.from);
      const piece = bytes.slice(from, Math.min(bytes.length, from + m.length));
      const to = at(m.to, true);
      return concatBytes(bytes.subarray(0, to), piece, bytes.subarray(to));
    }
    case 'tail':
      return concatBytes(bytes.subarray(0, at(m.at, true)), m.bytes);
  }
}

/** One to `maxSteps` mutations of one of the seeds. */
export function mutatedSeed(seeds: readonly Seed[], maxSteps = 4): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutatedSeed needs at least one seed');
  return fc
    .record({
      seed: fc.nat(seeds.length - 1),
      steps: fc.array(mutationArbitrary, { minLength: 1, maxLength: maxSteps }),
    })
    .map(({ seed: index, steps }) => {
      const seed = seeds[index]!;
      return steps.reduce((bytes, step) => applyMutation(seed, bytes, step), seed.bytes);
    });
}

/** Random bytes behind a valid magic number, so the fuzzer gets past the first check. */
export function behindMagic(magic: readonly number[], maxLength = 256): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength }).map((tail) => concatBytes(new Uint8Array(magic), tail));
}

// ---------------------------------------------------------------------------------------------------------
// Writers for small valid inputs

/** A safetensors file: u64 LE header length, the JSON header, the data; `headerLength` may lie. */
export function writeSafetensors(
  header: unknown,
  data: Uint8Array = new Uint8Array(),
  headerLength?: bigint,
): Uint8Array {
  const json = utf8(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Pickle opcodes the writer below uses (protocol 2, as torch.save writes). */
export const PICKLE = {
  PROTO: 0x80,
  MARK: 0x28,
  STOP: 0x2e,
  EMPTY_DICT: 0x7d,
  EMPTY_LIST: 0x5d,
  EMPTY_TUPLE: 0x29,
  APPEND: 0x61,
  APPENDS: 0x65,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  GLOBAL: 0x63,
  REDUCE: 0x52,
  BINPERSID: 0x51,
  BINUNICODE: 0x58,
  BINBYTES: 0x42,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG1: 0x8a,
  NEWFALSE: 0x89,
  NONE: 0x4e,
  DUP: 0x32,
  BINPUT: 0x71,
  BINGET: 0x68,
} as const;

/** Pickle fragments that compose into a torch.save-like stream. */
export const pickleOps = {
  int(value: number | bigint): number[] {
    const n = typeof value === 'number' && !Number.isFinite(value) ? 0n : BigInt(value);
    if (n >= 0n && n < 256n) return [PICKLE.BININT1, Number(n)];
    if (n >= 0n && n < 65536n) return [PICKLE.BININT2, Number(n & 0xffn), Number(n >> 8n)];
    if (n >= -(1n << 31n) && n < 1n << 31n) {
      const u = Number(BigInt.asUintN(32, n));
      return [PICKLE.BININT, u & 0xff, (u >>> 8) & 0xff, (u >>> 16) & 0xff, u >>> 24];
    }
    const bytes: number[] = [];
    let rest = BigInt.asUintN(128, n);
    for (let i = 0; i < 16; i++, rest >>= 8n) bytes.push(Number(rest & 0xffn));
    return [PICKLE.LONG1, bytes.length, ...bytes];
  },
  str(text: string): number[] {
    const bytes = utf8(text);
    const n = bytes.length;
    return [PICKLE.BINUNICODE, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24, ...bytes];
  },
  global(module: string, name: string): number[] {
    return [PICKLE.GLOBAL, ...utf8(`${module}\n${name}\n`)];
  },
  tuple(items: number[][]): number[] {
    return [PICKLE.MARK, ...items.flat(), PICKLE.TUPLE];
  },
};

export interface PickledTensor {
  name: string;
  /** torch storage class: FloatStorage, HalfStorage, BFloat16Storage, LongStorage, ... */
  storageType: string;
  /** The storage key, or raw pickle opcodes that push something else in its place. */
  key: string | { raw: number[] };
  numel: number | bigint;
  offset: number | bigint;
  shape: Array<number | bigint>;
  stride: Array<number | bigint>;
  /** Wrap in torch._utils._rebuild_parameter, as an nn.Parameter is saved. */
  parameter?: boolean;
}

/** A torch.save state dict pickle: an OrderedDict of `_rebuild_tensor_v2` calls on persistent storages. */
export function writeStateDictPickle(tensors: readonly PickledTensor[]): Uint8Array {
  const { int, str, global, tuple } = pickleOps;
  const out: number[] = [
    PICKLE.PROTO,
    2,
    ...global('collections', 'OrderedDict'),
    PICKLE.EMPTY_TUPLE,
    PICKLE.REDUCE,
  ];
  out.push(PICKLE.MARK);
  for (const t of tensors) {
    out.push(...str(t.name));
    if (t.parameter) out.push(...global('torch._utils', '_rebuild_parameter'), PICKLE.MARK);
    out.push(...global('torch._utils', '_rebuild_tensor_v2'));
    const storage = [
      ...tuple([
        str('storage'),
        global('torch', t.storageType),
        typeof t.key === 'string' ? str(t.key) : t.key.raw,
        str('cpu'),
        int(t.numel),
      ]),
      PICKLE.BINPERSID,
    ];
    const backwardHooks = [...global('collections', 'OrderedDict'), PICKLE.EMPTY_TUPLE, PICKLE.REDUCE];
    out.push(
      ...tuple([
        storage,
        int(t.offset),
        tuple(t.shape.map(int)),
        tuple(t.stride.map(int)),
        [PICKLE.NEWFALSE],
        backwardHooks,
      ]),
      PICKLE.REDUCE,
    );
    if (t.parameter) out.push(PICKLE.NEWFALSE, PICKLE.TUPLE, PICKLE.REDUCE);
  }
  out.push(PICKLE.SETITEMS, PICKLE.STOP);
  return new Uint8Array(out);
}

/** C-order strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  return strides;
}

/**
 * A list (or tuple) nested `depth` deep, as pickle opcodes: the lists pushed outermost first, then APPEND (or
 * MARK ... APPENDS) folds each into the one below it; tuples wrap with MARK ... TUPLE.
 */
export function deeplyNestedPickle(depth: number, style: 'append' | 'appends' | 'tuple'): Uint8Array {
  const out = new Uint8Array(4 + depth * 3);
  let at = 0;
  out[at++] = PICKLE.PROTO;
  out[at++] = 2;
  if (style === 'tuple') {
    for (let i = 0; i < depth; i++) out[at++] = PICKLE.MARK;
    out[at++] = PICKLE.EMPTY_TUPLE;
    for (let i = 0; i < depth; i++) out[at++] = PICKLE.TUPLE;
  } else {
    out[at++] = PICKLE.EMPTY_LIST;
    for (let i = 1; i < depth; i++) {
      if (style === 'appends') out[at++] = PICKLE.MARK;
      out[at++] = PICKLE.EMPTY_LIST;
    }
    for (let i = 1; i < depth; i++) out[at++] = style === 'appends' ? PICKLE.APPENDS : PICKLE.APPEND;
  }
  out[at++] = PICKLE.STOP;
  return out.subarray(0, at);
}

/** `[[[...]]]` nested `depth` deep, as JSON text. */
export const deeplyNestedJson = (depth: number, inner = ''): string =>
  '['.repeat(depth) + inner + ']'.repeat(depth);

/** Where a zip's records are: for aiming mutations at size fields and cutting at record boundaries. */
export function zipLayout(bytes: Uint8Array): Pick<Seed, 'regions' | 'boundaries'> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const regions: Array<[number, number]> = [];
  const boundaries: number[] = [0, 4, 30];
  let end = -1;
  for (let at = bytes.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) return { regions, boundaries };
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  boundaries.push(at, end, end + 8, end + 22);
  regions.push([end + 8, end + 20]); // entry counts, directory size and offset
  for (let i = 0; i < count && at + 46 <= end; i++) {
    const compressedSize = view.getUint32(at + 20, true);
    const local = view.getUint32(at + 42, true);
    regions.push([at + 20, at + 28], [at + 28, at + 34], [at + 42, at + 46]); // sizes, name/extra lengths, offset
    boundaries.push(at);
    if (local + 30 <= bytes.length) {
      const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      regions.push([local + 18, local + 30], [data, Math.min(bytes.length, data + compressedSize)]);
      boundaries.push(local, local + 30, data, data + compressedSize);
    }
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return { regions, boundaries };
}

/** Hex of the first bytes, for failure messages: a counterexample of 100 KB printed whole helps nobody. */
export function hexPreview(bytes: Uint8Array, limit = 256): string {
  const head = Array.from(bytes.subarray(0, limit), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${bytes.length} bytes ${head}${bytes.length > limit ? '…' : ''}`;
}

/** Makes fast-check print generated bytes as a short hex preview (replay them with the seed and path). */
export function shortPrinted(arbitrary: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return arbitrary.map((bytes) =>
    Object.defineProperty(bytes, fc.toStringMethod, { value: () => `<${hexPreview(bytes, 64)}>` }),
  );
}

/** `arbitrary` one time in `oneIn`, undefined otherwise (fc.option's `freq` weighs the other way round). */
export function sometimes<T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}
