import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PickleGlobal, unpickle } from './pickle';
import { parsePyTorchCheckpoint } from './pytorchZip';
import { parseSafetensors } from './safetensors';
import { type TensorMap, WeightsFormatError, type WeightsFormatErrorCode } from './tensorMap';

function readBuffer(url: URL): ArrayBuffer {
  const bytes = readFileSync(url);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

const fixture = (name: string): ArrayBuffer => readBuffer(new URL(`./__fixtures__/${name}`, import.meta.url));

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

type Expected = Record<string, { dtype: string; shape: number[]; values: number[] }>;

describe('parsePyTorchCheckpoint', () => {
  it('reads a torch.save zip with strided, offset, shared, expanded, half and bfloat16 tensors', () => {
    const tensors = parsePyTorchCheckpoint(fixture('small.pth'));
    const expected = JSON.parse(new TextDecoder().decode(fixture('small.expected.json'))) as Expected;
    expect([...tensors.keys()]).toEqual(Object.keys(expected)); // num_batches_tracked dropped
    for (const [name, want] of Object.entries(expected)) {
      const got = tensors.get(name);
      expect(got?.shape, name).toEqual(want.shape);
      expect(got?.dtype, name).toBe(want.dtype);
      expect(Array.from(got?.data ?? []), name).toEqual(want.values.map(Math.fround));
    }
  });

  it('honours storage offset and strides (checked against the formula, not just PyTorch output)', () => {
    const tensors = parsePyTorchCheckpoint(fixture('small.pth'));
    const base = (i: number): number => i * 0.5 - 7;
    const strided = [1, 3].flatMap((row) => [2, 5, 8, 11].map((col) => base(row * 12 + col)));
    expect(Array.from(tensors.get('strided')?.data ?? [])).toEqual(strided);
    expect(Array.from(tensors.get('slice')?.data ?? [])).toEqual([5, 6, 7, 8, 9, 10].map(base));
    expect(Array.from(tensors.get('shared')?.data ?? [])).toEqual([0, 1, 2, 3].map(base));
    expect(Array.from(tensors.get('expanded')?.data ?? [])).toEqual([1, 2, 3, 1, 2, 3]);
    expect(tensors.get('scalar')).toMatchObject({ shape: [], data: new Float32Array([2.5]) });
    expect(tensors.get('param')?.data).toEqual(new Float32Array([1, 2, 3, 4]));
  });

  it('accepts a little-endian byteorder record and refuses a big-endian one', () => {
    expect([...parsePyTorchCheckpoint(fixture('byteorder-little.pth')).keys()]).toContain('fc.weight');
    expectFormatError(() => parsePyTorchCheckpoint(fixture('big-endian.pth')), 'big-endian');
  });

  it.each(['checkpoint-state-dict.pth', 'checkpoint-model.pth'])(
    'unwraps the weights nested in %s',
    (name) => {
      const tensors = parsePyTorchCheckpoint(fixture(name));
      expect([...tensors.keys()]).toEqual(['w', 'b']);
      expect(tensors.get('b')).toMatchObject({ shape: [1, 1], data: new Float32Array([3]) });
    },
  );

  describe('refuses malicious pickles without running anything', () => {
    it.each([
      ['evil-os-system.pth', 'posix.system'],
      ['evil-popen.pth', 'commands.Popen'], // protocol 2 writes subprocess.Popen under its Python 2 name
      ['evil-eval-proto4.pth', 'builtins.eval'], // reached through STACK_GLOBAL
    ])('%s names %s', (name, global) => {
      expectFormatError(
        () => parsePyTorchCheckpoint(fixture(name)),
        'forbidden-global',
        new RegExp(`"${global.replace('.', '\\.')}"`),
      );
    });
  });

  it('explains how to convert a legacy (pre-zip) checkpoint', () => {
    expectFormatError(
      () => parsePyTorchCheckpoint(fixture('legacy.pth')),
      'legacy-format',
      /torch\.save\(torch\.load\(path\), new_path\)/,
    );
  });

  it('refuses truncated files, TorchScript archives, integer weights and non-checkpoints', () => {
    expectFormatError(() => parsePyTorchCheckpoint(fixture('truncated.pth')), 'truncated');
    expectFormatError(
      () => parsePyTorchCheckpoint(fixture('torchscript.pt')),
      'not-a-checkpoint',
      /TorchScript/,
    );
    expectFormatError(
      () => parsePyTorchCheckpoint(fixture('int32.pth')),
      'unsupported-dtype',
      /"counts".*I32/,
    );
    expectFormatError(
      () => parsePyTorchCheckpoint(fixture('mixed.safetensors')),
      'not-a-checkpoint',
      /safetensors/,
    );
    expectFormatError(
      () => parsePyTorchCheckpoint(new TextEncoder().encode('<html>not found</html>').buffer),
      'not-a-checkpoint',
    );
    expectFormatError(() => parsePyTorchCheckpoint(new ArrayBuffer(0)), 'not-a-checkpoint');
  });
});

describe('unpickle', () => {
  const noGlobals = {
    findGlobal: (module: string, name: string): PickleGlobal => {
      throw new WeightsFormatError('forbidden-global', `${module}.${name}`);
    },
    persistentLoad: () => null,
  };
  const run = (...bytes: number[]) => unpickle(new Uint8Array(bytes), noGlobals);

  it('builds dicts, lists, tuples and numbers', () => {
    // {'a': [1, -2, 2**40], 'b': (True, None, 1.5)} via protocol 2 opcodes
    const pickled = new Uint8Array([
      0x80, 0x02, 0x7d, 0x28, 0x58, 1, 0, 0, 0, 0x61, 0x5d, 0x28, 0x4b, 1, 0x4a, 0xfe, 0xff, 0xff, 0xff, 0x8a,
      6, 0, 0, 0, 0, 0, 1, 0x65, 0x58, 1, 0, 0, 0, 0x62, 0x88, 0x4e, 0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x87,
      0x75, 0x2e,
    ]);
    const value = unpickle(pickled, noGlobals);
    expect(value).toEqual(
      new Map<string, unknown>([
        ['a', [1, -2, 2 ** 40]],
        ['b', [true, null, 1.5]],
      ]),
    );
  });

  it('refuses unknown opcodes and truncated streams with clear codes', () => {
    expectFormatError(() => run(0x80, 0x02, 0x69, 0x2e), 'bad-pickle', /opcode 0x69/); // INST
    expectFormatError(() => run(0x80, 0x02, 0x58, 0xff, 0, 0, 0), 'truncated');
    expectFormatError(() => run(0x80, 0x02, 0x68, 0x05, 0x2e), 'bad-pickle', /memo/);
    expectFormatError(
      () => run(0x63, ...new TextEncoder().encode('os\nsystem\n'), 0x2e),
      'forbidden-global',
      /os\.system/,
    );
  });
});

const REFERENCE_DIR = new URL('../../../test-fixtures/reference/', import.meta.url);
const hasReference = existsSync(new URL('resnet18.pth', REFERENCE_DIR));

/** torchvision's ResNet state-dict layout (BasicBlock), without num_batches_tracked. */
function resnetShapes(blocksPerStage: number[]): Array<[string, number[]]> {
  const shapes: Array<[string, number[]]> = [['conv1.weight', [64, 3, 7, 7]]];
  const batchNorm = (prefix: string, channels: number) => {
    for (const field of ['weight', 'bias', 'running_mean', 'running_var'])
      shapes.push([`${prefix}.${field}`, [channels]]);
  };
  batchNorm('bn1', 64);
  let inChannels = 64;
  blocksPerStage.forEach((blocks, stage) => {
    const channels = 64 * 2 ** stage;
    for (let block = 0; block < blocks; block++) {
      const prefix = `layer${stage + 1}.${block}`;
      shapes.push([`${prefix}.conv1.weight`, [channels, block === 0 ? inChannels : channels, 3, 3]]);
      batchNorm(`${prefix}.bn1`, channels);
      shapes.push([`${prefix}.conv2.weight`, [channels, channels, 3, 3]]);
      batchNorm(`${prefix}.bn2`, channels);
      if (block === 0 && stage > 0) {
        shapes.push([`${prefix}.downsample.0.weight`, [channels, inChannels, 1, 1]]);
        batchNorm(`${prefix}.downsample.1`, channels);
      }
    }
    inChannels = channels;
  });
  shapes.push(['fc.weight', [1000, 512]], ['fc.bias', [1000]]);
  return shapes;
}

/** Every value within `relative`·|reference| + `absolute` (the slack half precision needs for subnormals). */
function expectSameTensors(actual: TensorMap, expected: TensorMap, relative: number, absolute: number): void {
  for (const [name, want] of expected) {
    const got = actual.get(name)?.data ?? new Float32Array();
    expect(got.length, name).toBe(want.data.length);
    let worstExcess = 0;
    for (let i = 0; i < got.length; i++) {
      const reference = want.data[i] ?? 0;
      const excess = Math.abs((got[i] ?? 0) - reference) - relative * Math.abs(reference) - absolute;
      worstExcess = Math.max(worstExcess, excess);
    }
    expect(worstExcess, name).toBe(0);
  }
}

describe.skipIf(!hasReference)('reference ResNet weights (run scripts/make_reference.py to enable)', () => {
  const depths: Array<[string, number[], number]> = [
    ['resnet18', [2, 2, 2, 2], 102],
    ['resnet34', [3, 4, 6, 3], 182],
  ];
  it.each(depths)(
    '%s: .pth and .safetensors hold the torchvision layout with identical values',
    (model, blocks, count) => {
      const fromPth = parsePyTorchCheckpoint(readBuffer(new URL(`${model}.pth`, REFERENCE_DIR)));
      const fromSafetensors = parseSafetensors(readBuffer(new URL(`${model}.safetensors`, REFERENCE_DIR)));
      const layout = resnetShapes(blocks);
      expect(layout).toHaveLength(count);
      for (const tensors of [fromPth, fromSafetensors]) {
        expect([...tensors].map(([name, t]) => [name, t.shape])).toEqual(layout);
      }
      expectSameTensors(fromPth, fromSafetensors, 0, 0);
    },
  );

  it('resnet18 F16 and BF16 copies round the F32 weights to within their precision', () => {
    const f32 = parseSafetensors(readBuffer(new URL('resnet18.safetensors', REFERENCE_DIR)));
    // Round-to-nearest leaves at most half an ulp: 2^-11 relative for F16, 2^-8 for BF16.
    for (const [suffix, dtype, epsilon] of [
      ['f16', 'F16', 2 ** -11],
      ['bf16', 'BF16', 2 ** -8],
    ] as const) {
      const rounded = parseSafetensors(readBuffer(new URL(`resnet18-${suffix}.safetensors`, REFERENCE_DIR)));
      expect([...rounded.values()].every((t) => t.dtype === dtype)).toBe(true);
      expectSameTensors(rounded, f32, epsilon, 2 ** -25);
    }
  });
});
