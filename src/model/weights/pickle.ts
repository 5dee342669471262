/**
 * A restricted unpickler: it understands the opcodes a `torch.save`d state dict uses (protocol 2,
 * plus the few protocol 3-4 additions) and nothing else. Globals are never imported or executed —
 * the caller supplies an allowlist of plain JS functions; any other name is refused on sight.
 */
import { WeightsFormatError } from './tensorMap';

export type PickleKey = string | number | bigint | boolean | null;

/** Dicts, including OrderedDict, keep insertion order as Maps do. */
export type PickleDict = Map<PickleKey, PickleValue>;

/** Values the unpickler builds. Tuples and lists are both plain arrays: nothing here needs the difference. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleDict
  | PickleGlobal
  | PickleOpaque;

/** Base for objects an allowed global or persistentLoad returns; the unpickler just passes them along. */
export abstract class PickleOpaque {}

/** An allowlisted global. `reduce` is absent for names that are only tags (e.g. storage types). */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly reduce?: (args: PickleValue[]) => PickleValue,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

export interface UnpickleOptions {
  /** Returns the allowed global, or throws. Called for every GLOBAL / STACK_GLOBAL. */
  findGlobal(module: string, name: string): PickleGlobal;
  /** Resolves BINPERSID ids (PyTorch uses them for tensor storages). */
  persistentLoad(pid: PickleValue): PickleValue;
}

// Opcode bytes, named as in CPython's pickletools.
const OP = {
  MARK: 0x28,
  STOP: 0x2e,
  POP: 0x30,
  POP_MARK: 0x31,
  DUP: 0x32,
  BINFLOAT: 0x47,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  NONE: 0x4e,
  BINPERSID: 0x51,
  REDUCE: 0x52,
  SHORT_BINSTRING: 0x55,
  BINSTRING: 0x54,
  BINUNICODE: 0x58,
  BINBYTES: 0x42,
  SHORT_BINBYTES: 0x43,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  BUILD: 0x62,
  GLOBAL: 0x63,
  APPENDS: 0x65,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  SETITEM: 0x73,
  TUPLE: 0x74,
  SETITEMS: 0x75,
  EMPTY_DICT: 0x7d,
  EMPTY_TUPLE: 0x29,
  PROTO: 0x80,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
} as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function fail(message: string): never {
  throw new WeightsFormatError('bad-pickle', `pickle: ${message}`);
}

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  // MARK is not pushed as a value: it parks the current stack and starts a fresh one.
  let stack: PickleValue[] = [];
  const markStack: PickleValue[][] = [];
  const memo = new Map<number, PickleValue>();

  const need = (count: number): number => {
    if (count < 0 || pos + count > bytes.byteLength) {
      throw new WeightsFormatError(
        'truncated',
        `pickle: needs ${count} more bytes at offset ${pos} but the stream ends at ${bytes.byteLength}`,
      );
    }
    const start = pos;
    pos += count;
    return start;
  };
  const u8 = (): number => view.getUint8(need(1));
  const u32 = (): number => view.getUint32(need(4), true);
  const take = (count: number): Uint8Array => {
    const start = need(count);
    return bytes.subarray(start, start + count);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new WeightsFormatError('truncated', 'pickle: unterminated GLOBAL name');
    return latin1.decode(take(end - pos + 1).subarray(0, -1));
  };
  const text = (count: number): string => {
    const raw = take(count);
    try {
      return utf8.decode(raw);
    } catch {
      return fail(`invalid UTF-8 string at offset ${pos - count}`);
    }
  };
  const pop = (): PickleValue => {
    const item = stack.pop();
    if (item === undefined) fail(`stack underflow at offset ${pos - 1}`);
    return item;
  };
  const top = (): PickleValue => {
    const item = stack[stack.length - 1];
    if (item === undefined) fail(`no object on the stack at offset ${pos - 1}`);
    return item;
  };
  // Everything pushed since the last MARK, restoring the outer stack.
  const popMark = (): PickleValue[] => {
    const items = stack;
    const outer = markStack.pop();
    if (outer === undefined) fail(`no MARK to pop at offset ${pos - 1}`);
    stack = outer;
    return items;
  };
  const getMemo = (index: number): PickleValue => {
    const value = memo.get(index);
    if (value === undefined) fail(`memo entry ${index} read before it was written`);
    return value;
  };
  const setItems = (dict: PickleValue, items: PickleValue[]): void => {
    if (!(dict instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) dict.set(asKey(items[i] ?? null), items[i + 1] ?? null);
  };
  const appendItems = (list: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(list)) fail('APPEND(S) on something that is not a list');
    for (const item of items) list.push(item); // spreading a huge APPENDS would overflow the call stack
  };

  for (;;) {
    const opcode = u8();
    switch (opcode) {
      case OP.PROTO: {
        const protocol = u8();
        if (protocol > 5) fail(`unsupported pickle protocol ${protocol}`);
        break;
      }
      case OP.FRAME:
        need(8); // frames only help streaming readers; the whole pickle is already in memory
        break;
      case OP.STOP:
        return pop();
      case OP.MARK:
        markStack.push(stack);
        stack = [];
        break;
      case OP.POP:
        pop();
        break;
      case OP.POP_MARK:
        popMark();
        break;
      case OP.DUP:
        stack.push(top());
        break;

      case OP.NONE:
        stack.push(null);
        break;
      case OP.NEWTRUE:
        stack.push(true);
        break;
      case OP.NEWFALSE:
        stack.push(false);
        break;
      case OP.BININT:
        stack.push(view.getInt32(need(4), true));
        break;
      case OP.BININT1:
        stack.push(u8());
        break;
      case OP.BININT2:
        stack.push(view.getUint16(need(2), true));
        break;
      case OP.LONG1:
        stack.push(decodeLong(take(u8())));
        break;
      case OP.LONG4: {
        const length = u32();
        if (length > 64) fail(`LONG4 of ${length} bytes; no tensor metadata needs integers that large`);
        stack.push(decodeLong(take(length)));
        break;
      }
      case OP.BINFLOAT:
        stack.push(view.getFloat64(need(8), false));
        break; // big-endian by spec

      case OP.BINUNICODE:
        stack.push(text(u32()));
        break;
      case OP.SHORT_BINUNICODE:
        stack.push(text(u8()));
        break;
      case OP.BINUNICODE8: {
        const low = u32();
        const high = u32();
        stack.push(text(high === 0 ? low : Number.MAX_SAFE_INTEGER));
        break;
      }
      // Python 2 str (appears in protocol-2 pickles written by Python 2); bytes in Latin-1 by convention.
      case OP.BINSTRING:
        stack.push(latin1.decode(take(view.getInt32(need(4), true))));
        break;
      case OP.SHORT_BINSTRING:
        stack.push(latin1.decode(take(u8())));
        break;
      case OP.BINBYTES:
        stack.push(take(u32()).slice());
        break;
      case OP.SHORT_BINBYTES:
        stack.push(take(u8()).slice());
        break;

      case OP.EMPTY_DICT:
        stack.push(new Map());
        break;
      case OP.EMPTY_LIST:
        stack.push([]);
        break;
      case OP.EMPTY_TUPLE:
        stack.push([]);
        break;
      case OP.TUPLE: {
        const items = popMark(); // before touching `stack`: popMark swaps in the outer stack
        stack.push(items);
        break;
      }
      case OP.TUPLE1:
        stack.push([pop()]);
        break;
      case OP.TUPLE2: {
        const second = pop();
        stack.push([pop(), second]);
        break;
      }
      case OP.TUPLE3: {
        const third = pop();
        const second = pop();
        stack.push([pop(), second, third]);
        break;
      }
      case OP.SETITEM: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case OP.APPEND: {
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case OP.APPENDS: {
        const items = popMark();
        appendItems(top(), items);
        break;
      }

      case OP.BINPUT:
        memo.set(u8(), top());
        break;
      case OP.LONG_BINPUT:
        memo.set(u32(), top());
        break;
      case OP.MEMOIZE:
        memo.set(memo.size, top());
        break;
      case OP.BINGET:
        stack.push(getMemo(u8()));
        break;
      case OP.LONG_BINGET:
        stack.push(getMemo(u32()));
        break;

      case OP.GLOBAL: {
        const module = line();
        stack.push(options.findGlobal(module, line()));
        break;
      }
      case OP.STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(options.findGlobal(module, name));
        break;
      }
      case OP.REDUCE: {
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PickleGlobal) || !callable.reduce) {
          fail(`REDUCE on ${callable instanceof PickleGlobal ? callable.qualifiedName : 'a non-callable'}`);
        }
        if (!Array.isArray(args)) fail(`REDUCE of ${callable.qualifiedName} without an argument tuple`);
        stack.push(callable.reduce(args));
        break;
      }
      case OP.BUILD: {
        // torch.save emits this once, to give the state dict its `_metadata` attribute (per-module
        // version numbers). Instance attributes of a dict are not items, so they are dropped.
        pop();
        if (!(top() instanceof Map)) fail('BUILD is only supported on dicts');
        break;
      }
      case OP.BINPERSID:
        stack.push(options.persistentLoad(pop()));
        break;

      default:
        fail(`unsupported opcode 0x${opcode.toString(16).padStart(2, '0')} at offset ${pos - 1}`);
    }
  }
}

/** Little-endian two's-complement integer, as a number when it fits exactly. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  if ((bytes[bytes.length - 1] ?? 0) & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

function asKey(value: PickleValue): PickleKey {
  if (value === null || typeof value !== 'object') return value;
  return fail('dict key is not a string, number or bool');
}
