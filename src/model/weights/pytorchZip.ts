/**
 * Reader for the zip checkpoints `torch.save` writes (PyTorch ≥ 1.6):
 *   <prefix>/data.pkl    pickled (Ordered)dict whose tensors point at storages via persistent ids
 *   <prefix>/data/<key>  raw little-endian bytes of each storage
 *   <prefix>/version, and since PyTorch 2.1 also <prefix>/byteorder
 * Only a small allowlist of pickle globals is accepted, so a malicious file cannot do anything.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { PickleGlobal, PickleOpaque, type PickleDict, type PickleValue, unpickle } from './pickle';
import {
  type TensorMap,
  type WeightsDtype,
  WeightsFormatError,
  decodeToFloat32,
  elementCount,
  isIgnorableIntegerTensor,
  isValidShape,
} from './tensorMap';

type StorageDtype = WeightsDtype | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/**
 * Storage classes are only tags naming a dtype; nothing is ever called. Integer and double ones are
 * accepted so `num_batches_tracked` (int64) parses and anything else fails with a precise
 * 'unsupported-dtype' instead of a misleading 'forbidden-global'.
 */
const STORAGE_DTYPES: ReadonlyMap<string, StorageDtype> = new Map([
  ['FloatStorage', 'F32'],
  ['HalfStorage', 'F16'],
  ['BFloat16Storage', 'BF16'],
  ['DoubleStorage', 'F64'],
  ['LongStorage', 'I64'],
  ['IntStorage', 'I32'],
  ['ShortStorage', 'I16'],
  ['CharStorage', 'I8'],
  ['ByteStorage', 'U8'],
  ['BoolStorage', 'BOOL'],
]);

const STORAGE_ITEM_BYTES: Readonly<Record<StorageDtype, number>> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  F64: 8,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Keys under which training scripts commonly nest the weights in a larger checkpoint dict. */
const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model'];

/**
 * data.pkl holds only metadata, ~200 bytes a tensor (a ResNet's is ~50 KB). Every opcode byte can make the
 * unpickler allocate an object of ~32 bytes, and a deflated pickle inflates up to 1032-fold, so this cap is
 * what bounds the heap a small file can claim (to ~300 MB): at the former 256 MB, a 250 KB file could.
 */
const MAX_PICKLE_BYTES = 8 * 1024 * 1024;

class StorageRef extends PickleOpaque {
  constructor(
    readonly dtype: StorageDtype,
    readonly key: string,
    readonly numel: number,
  ) {
    super();
  }
}

class TensorRef extends PickleOpaque {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {
    super();
  }
}

export function parsePyTorchCheckpoint(buf: ArrayBuffer): TensorMap {
  const bytes = new Uint8Array(buf);
  checkContainer(bytes);

  const names: string[] = [];
  const metadata = unzip(bytes, (file) => {
    names.push(file.name);
    if (file.name.endsWith('data.pkl') && file.originalSize > MAX_PICKLE_BYTES) {
      throw new WeightsFormatError(
        'bad-zip',
        `${file.name} claims ${file.originalSize} bytes; refusing to inflate it`,
      );
    }
    return file.name.endsWith('data.pkl') || file.name.endsWith('byteorder');
  });

  const pickleName = names
    .filter((name) => name === 'data.pkl' || name.endsWith('/data.pkl'))
    .sort((a, b) => a.length - b.length)[0];
  if (pickleName === undefined) {
    throw new WeightsFormatError(
      'not-a-checkpoint',
      'zip archive has no data.pkl, so it was not written by torch.save',
    );
  }
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  if (names.includes(`${prefix}constants.pkl`) || names.some((name) => name.startsWith(`${prefix}code/`))) {
    throw new WeightsFormatError(
      'not-a-checkpoint',
      'this is a TorchScript archive (torch.jit.save); load it in Python and save the weights with torch.save(model.state_dict(), path)',
    );
  }
  const byteorder = metadata[`${prefix}byteorder`];
  if (byteorder !== undefined) {
    const order = new TextDecoder().decode(byteorder).trim();
    if (order === 'big') {
      throw new WeightsFormatError(
        'big-endian',
        'checkpoint was saved on a big-endian machine; re-save it on a little-endian one (x86/ARM)',
      );
    }
    if (order !== 'little') throw new WeightsFormatError('bad-zip', `unknown byteorder record "${order}"`);
  }

  const pickleBytes = metadata[pickleName];
  if (pickleBytes === undefined) throw new WeightsFormatError('bad-zip', `could not read ${pickleName}`);
  const root = unpickle(pickleBytes, { findGlobal, persistentLoad: makePersistentLoad() });

  const stateDict = findStateDict(root);
  const kept: Array<[string, TensorRef]> = [];
  for (const [name, value] of stateDict) {
    if (typeof name !== 'string' || !(value instanceof TensorRef)) continue; // e.g. optimizer step counters
    const dtype = value.storage.dtype;
    if (dtype === 'F32' || dtype === 'F16' || dtype === 'BF16') kept.push([name, value]);
    else if (!isIgnorableIntegerTensor(name)) {
      throw new WeightsFormatError(
        'unsupported-dtype',
        `tensor "${name}" has dtype ${dtype}; only F32, F16 and BF16 are supported`,
      );
    }
  }
  if (kept.length === 0) throw new WeightsFormatError('no-tensors', 'checkpoint contains no float tensors');
  // A strided view is copied out, and a stride of 0 (torch.expand) lets a few pickle bytes name billions of
  // elements: refuse copies that add up to more elements than the file has bytes, before allocating any.
  let copied = 0;
  for (const [name, tensor] of kept) {
    if (isContiguous(tensor)) continue;
    copied += elementCount(tensor.shape);
    if (copied > bytes.length) {
      throw new WeightsFormatError(
        'bad-pickle',
        `tensor "${name}" is a strided view of ${elementCount(tensor.shape)} elements; copying the checkpoint's views would take more memory than a ${bytes.length}-byte file justifies`,
      );
    }
  }

  const storages = readStorages(
    bytes,
    prefix,
    kept.map(([, tensor]) => tensor.storage),
  );
  const tensors: TensorMap = new Map();
  for (const [name, tensor] of kept) {
    const storage = storages.get(tensor.storage.key);
    if (storage === undefined)
      throw new WeightsFormatError('missing-record', `storage ${tensor.storage.key} of "${name}" is missing`);
    tensors.set(name, {
      shape: tensor.shape,
      data: gather(storage, tensor),
      dtype: tensor.storage.dtype as WeightsDtype, // only float storages were kept above
    });
  }
  return tensors;
}

function checkContainer(bytes: Uint8Array): void {
  const startsWith = (...magic: number[]): boolean => magic.every((byte, i) => bytes[i] === byte);
  if (startsWith(0x50, 0x4b, 0x03, 0x04)) {
    // The central directory sits at the end; without it the download was cut short.
    const tail = bytes.subarray(Math.max(0, bytes.length - 65557));
    const hasEndRecord = tail.some(
      (byte, i) => byte === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06,
    );
    if (!hasEndRecord)
      throw new WeightsFormatError(
        'truncated',
        'checkpoint zip has no end-of-archive record; the file is truncated',
      );
    return;
  }
  if (bytes[0] === 0x80 && (bytes[1] ?? 0) >= 2 && (bytes[1] ?? 0) <= 5) {
    throw new WeightsFormatError(
      'legacy-format',
      'this checkpoint uses the legacy (pre-1.6) torch.save format, which is not supported; re-save it with a current PyTorch: torch.save(torch.load(path), new_path)',
    );
  }
  if (bytes.length >= 9 && bytes[8] === 0x7b /* '{' */) {
    throw new WeightsFormatError(
      'not-a-checkpoint',
      'this looks like a .safetensors file, not a PyTorch .pth checkpoint',
    );
  }
  throw new WeightsFormatError(
    'not-a-checkpoint',
    'not a PyTorch checkpoint: expected a zip archive written by torch.save',
  );
}

/** Every central directory entry takes at least this many bytes, so a file of n bytes lists fewer than n / 46. */
const MIN_DIRECTORY_ENTRY_BYTES = 46;

/** DEFLATE cannot expand by more than this (a 258-byte match per ~2 bits); a bigger claim is a lie. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * fflate trusts the directory: it loops over the claimed entry count (up to 2^32 in a zip64 record) and
 * allocates each inflated record at its claimed size before reading a byte of it. Both claims are checked
 * here against the file's real size first.
 */
function unzip(bytes: Uint8Array, filter: (file: UnzipFileInfo) => boolean): Record<string, Uint8Array> {
  let entries = 0;
  const checkedFilter = (file: UnzipFileInfo): boolean => {
    if (++entries * MIN_DIRECTORY_ENTRY_BYTES > bytes.length) {
      throw new WeightsFormatError(
        'bad-zip',
        `the zip directory lists more entries than a ${bytes.length}-byte file can hold; the file is corrupt`,
      );
    }
    if (!filter(file)) return false;
    if (file.compression !== 0 && file.originalSize > Math.min(file.size, bytes.length) * MAX_DEFLATE_RATIO) {
      throw new WeightsFormatError(
        'bad-zip',
        `${file.name} claims to inflate ${file.size} compressed bytes to ${file.originalSize}, more than DEFLATE can; the file is corrupt`,
      );
    }
    return true;
  };
  try {
    return unzipSync(bytes, { filter: checkedFilter });
  } catch (cause) {
    if (cause instanceof WeightsFormatError) throw cause;
    throw new WeightsFormatError('bad-zip', `could not read the checkpoint zip: ${(cause as Error).message}`);
  }
}

function findGlobal(module: string, name: string): PickleGlobal {
  const qualified = `${module}.${name}`;
  if (module === 'collections' && name === 'OrderedDict') {
    return new PickleGlobal(module, name, (args) => {
      if (args.length !== 0) throw new WeightsFormatError('bad-pickle', 'OrderedDict built with arguments');
      return new Map();
    });
  }
  if (module === 'torch' && STORAGE_DTYPES.has(name)) return new PickleGlobal(module, name);
  if (module === 'torch._utils' && name === '_rebuild_tensor_v2')
    return new PickleGlobal(module, name, rebuildTensor);
  if (module === 'torch._utils' && name === '_rebuild_parameter') {
    return new PickleGlobal(module, name, ([data]) => {
      if (!(data instanceof TensorRef))
        throw new WeightsFormatError('bad-pickle', '_rebuild_parameter without a tensor');
      return data;
    });
  }
  throw new WeightsFormatError(
    'forbidden-global',
    `checkpoint refers to the Python global "${qualified}", which this loader refuses: only tensors inside (Ordered)dicts can be loaded. Save just the weights with torch.save(model.state_dict(), path)`,
  );
}

function makePersistentLoad(): (pid: PickleValue) => PickleValue {
  const byKey = new Map<string, StorageRef>();
  return (pid) => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length !== 5) {
      throw new WeightsFormatError(
        'bad-pickle',
        'persistent id is not a (storage, type, key, location, numel) tuple',
      );
    }
    const [, storageType, key, , numel] = pid;
    const dtype = storageType instanceof PickleGlobal ? STORAGE_DTYPES.get(storageType.name) : undefined;
    if (
      dtype === undefined ||
      typeof key !== 'string' ||
      typeof numel !== 'number' ||
      !Number.isSafeInteger(numel) ||
      numel < 0
    ) {
      // The key is whatever the pickle put there: a bigint, a list containing itself, a list nested 100,000 deep
      // would each make JSON.stringify throw, so only a string is quoted.
      const named = typeof key === 'string' ? JSON.stringify(key.slice(0, 100)) : `of type ${typeof key}`;
      throw new WeightsFormatError('bad-pickle', `malformed storage reference ${named}`);
    }
    const existing = byKey.get(key);
    if (existing) return existing;
    const storage = new StorageRef(dtype, key, numel);
    byKey.set(key, storage);
    return storage;
  };
}

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
function rebuildTensor(args: PickleValue[]): TensorRef {
  const [storage, offset, shape, stride] = args;
  if (
    !(storage instanceof StorageRef) ||
    typeof offset !== 'number' ||
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    !isValidShape(shape) ||
    !isValidShape(stride) ||
    shape.length !== stride.length
  ) {
    throw new WeightsFormatError(
      'bad-pickle',
      '_rebuild_tensor_v2 called with malformed storage, offset, size or stride',
    );
  }
  const count = elementCount(shape);
  const lastIndex = shape.reduce((sum, dim, axis) => sum + (dim - 1) * (stride[axis] ?? 0), offset);
  if (count > 0 && lastIndex >= storage.numel) {
    throw new WeightsFormatError(
      'bad-pickle',
      `tensor view reaches element ${lastIndex} of storage ${storage.key}, which has only ${storage.numel}`,
    );
  }
  return new TensorRef(storage, offset, shape, stride);
}

function findStateDict(root: PickleValue): PickleDict {
  let current = root;
  for (let depth = 0; depth < 4 && current instanceof Map; depth++) {
    const dict: PickleDict = current;
    if ([...dict.values()].some((value) => value instanceof TensorRef)) return dict;
    const wrapperKey = WRAPPER_KEYS.find((key) => dict.get(key) instanceof Map);
    if (wrapperKey === undefined) {
      const keys = [...dict.keys()].slice(0, 10).map(String).join(', ');
      throw new WeightsFormatError(
        'no-tensors',
        `checkpoint dict has no tensors and none of the keys ${WRAPPER_KEYS.join('/')} (it has: ${keys})`,
      );
    }
    current = dict.get(wrapperKey) ?? null;
  }
  throw new WeightsFormatError('no-tensors', 'checkpoint does not contain a dict of tensors (a state_dict)');
}

/** Inflates only the storages the kept tensors use, each decoded to float32 once even if shared. */
function readStorages(bytes: Uint8Array, prefix: string, refs: StorageRef[]): Map<string, Float32Array> {
  const wanted = new Map(refs.map((ref) => [`${prefix}data/${ref.key}`, ref]));
  const records = unzip(bytes, (file) => {
    const ref = wanted.get(file.name);
    if (ref === undefined) return false;
    const expected = ref.numel * STORAGE_ITEM_BYTES[ref.dtype];
    if (file.originalSize !== expected) {
      throw new WeightsFormatError(
        'bad-zip',
        `record ${file.name} holds ${file.originalSize} bytes but its storage needs ${expected}`,
      );
    }
    return true;
  });
  const storages = new Map<string, Float32Array>();
  for (const [recordName, ref] of wanted) {
    const record = records[recordName];
    if (record === undefined)
      throw new WeightsFormatError('missing-record', `checkpoint zip lacks ${recordName}`);
    if (record.byteLength !== ref.numel * STORAGE_ITEM_BYTES[ref.dtype]) {
      throw new WeightsFormatError('truncated', `record ${recordName} is shorter than its storage`);
    }
    storages.set(ref.key, decodeToFloat32(record, ref.dtype as WeightsDtype, ref.numel));
  }
  return storages;
}

/** Whether a tensor's elements lie in C order, one after another, in its storage (so it can be a view). */
function isContiguous({ shape, stride }: TensorRef): boolean {
  let expectedStride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const dim = shape[axis] ?? 0;
    if (dim !== 1 && stride[axis] !== expectedStride) return false;
    expectedStride *= dim;
  }
  return true;
}

/** Materialises a strided view as a C-order array; contiguous tensors stay views of their storage. */
// rebuildTensor already proved every index lands inside the storage.
function gather(storage: Float32Array, tensor: TensorRef): Float32Array {
  const { shape, stride, offset } = tensor;
  const count = elementCount(shape);
  if (isContiguous(tensor)) return storage.subarray(offset, offset + count);

  const out = new Float32Array(count);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let source = offset;
  for (let i = 0; i < count; i++) {
    out[i] = storage[source] ?? 0;
    // Odometer increment of the multi-index, moving the source position by the matching stride.
    for (let axis = rank - 1; axis >= 0; axis--) {
      const step = stride[axis] ?? 0;
      const position = (index[axis] ?? 0) + 1;
      if (position < (shape[axis] ?? 0)) {
        index[axis] = position;
        source += step;
        break;
      }
      index[axis] = 0;
      source -= step * (position - 1);
    }
  }
  return out;
}
