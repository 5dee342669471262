/**
 * Inputs the fuzzer (pytorchZip.fuzz.test.ts) found that made parsePyTorchCheckpoint throw something other
 * than a WeightsFormatError, hang, or allocate far beyond the file's size, replayed so the fixes stay in place.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

import { deeplyNestedPickle, toArrayBuffer, writeStateDictPickle } from '../../testing/fuzz';
import { parsePyTorchCheckpoint } from './pytorchZip';
import { WeightsFormatError, type WeightsFormatErrorCode } from './tensorMap';
import { zipSync, type UnzipFileInfo, type UnzipOptions } from 'fflate';

/**
 * The work the parser has fflate do, counted where fflate does it: the directory entries each unzip walks (it
 * walks as many as the end record claims) and the buffers it allocates for the records the parser accepts (a
 * deflated record gets its claimed size before a byte is inflated). Counts, not timings, so the hang and the
 * gigabyte these inputs once caused are seen on any machine; past the limits the count throws, so a fix that
 * came undone fails at once instead of hanging or taking the memory.
 */
const zipWork = vi.hoisted(() => ({
  walks: [] as number[],
  allocated: [] as Array<{ name: string; bytes: number }>,
  // Every input here is under 10 KB: nothing a parser should read from one comes near these.
  entryLimit: 10_000,
  allocationLimit: 1024 * 1024,
}));

vi.mock('fflate', async (importOriginal) => {
  const fflate = await importOriginal<typeof import('fflate')>();
  return {
    ...fflate,
    unzipSync: (data: Uint8Array, opts?: UnzipOptions) => {
      const walk = zipWork.walks.push(0) - 1;
      return fflate.unzipSync(data, {
        ...opts,
        filter: (file: UnzipFileInfo) => {
          if (++zipWork.walks[walk]! > zipWork.entryLimit) {
            throw new Error(`fflate walked more than ${zipWork.entryLimit} directory entries`);
          }
          const keep = opts?.filter ? opts.filter(file) : true;
          if (keep) {
            // What fflate allocates for the record: a stored one is copied, a deflated one gets its claim.
            const bytes = file.compression === 0 ? file.size : file.originalSize;
            if (bytes > zipWork.allocationLimit) {
              throw new Error(`fflate was let allocate ${bytes} bytes for ${file.name}`);
            }
            zipWork.allocated.push({ name: file.name, bytes });
          }
          return keep;
        },
      });
    },
  };
});

/** The largest `new Float32Array(n)` the parser asked for (strided views are copied into one), counted likewise. */
const FLOAT_LIMIT = 16 * 1024 * 1024;

function countingFloat32Array(largest: { elements: number }): Float32ArrayConstructor {
  return new Proxy(Float32Array, {
    construct(target, args: unknown[], newTarget) {
      if (typeof args[0] === 'number') {
        if (args[0] > FLOAT_LIMIT) throw new Error(`asked for a Float32Array of ${args[0]} elements`);
        largest.elements = Math.max(largest.elements, args[0]);
      }
      return Reflect.construct(target, args, newTarget) as Float32Array;
    },
  });
}

const fuzzFixture = (name: string) =>
  toArrayBuffer(new Uint8Array(readFileSync(new URL(`./__fixtures__/fuzz/${name}`, import.meta.url))));

interface Work {
  /** Directory entries fflate walked, per unzip. */
  walks: number[];
  /** The buffers fflate allocated for the records the parser let it read. */
  allocated: Array<{ name: string; bytes: number }>;
  /** The largest Float32Array the parser allocated by length. */
  largestFloat32Array: number;
}

/** Parses under the counters above. */
function parseCounting(buf: ArrayBuffer): { error: unknown; work: Work } {
  zipWork.walks = [];
  zipWork.allocated = [];
  const largest = { elements: 0 };
  const realFloat32Array = globalThis.Float32Array;
  // The parser names the global constructor, which is looked up when it runs: this stand-in counts for it.
  globalThis.Float32Array = countingFloat32Array(largest);
  let error: unknown;
  try {
    parsePyTorchCheckpoint(buf);
  } catch (caught) {
    error = caught;
  } finally {
    globalThis.Float32Array = realFloat32Array;
  }
  return {
    error,
    work: { walks: zipWork.walks, allocated: zipWork.allocated, largestFloat32Array: largest.elements },
  };
}

/**
 * The refusal, and the work it took. Whatever the input, a refusal walks no more directory entries than the
 * file has room for (46 bytes each) and copies no more floats than the file has bytes.
 */
function refusal(buf: ArrayBuffer, code: WeightsFormatErrorCode, message: RegExp): Work {
  const { error, work } = parseCounting(buf);
  expect(error).toBeInstanceOf(WeightsFormatError);
  expect((error as WeightsFormatError).code).toBe(code);
  expect((error as Error).message).toMatch(message);
  for (const entries of work.walks) expect(entries).toBeLessThanOrEqual(Math.floor(buf.byteLength / 46) + 1);
  expect(work.largestFloat32Array).toBeLessThanOrEqual(buf.byteLength);
  return work;
}

describe('parsePyTorchCheckpoint regressions found by fuzzing', () => {
  it('a storage key that is a bigint or a list containing itself (was TypeError from JSON.stringify)', () => {
    refusal(
      fuzzFixture('pth-bigint-storage-key.pth'),
      'bad-pickle',
      /malformed storage reference of type bigint/,
    );
    refusal(
      fuzzFixture('pth-cyclic-storage-key.pth'),
      'bad-pickle',
      /malformed storage reference of type object/,
    );
  });

  it('a storage key nested 20,000 lists deep (was RangeError: Maximum call stack size exceeded)', () => {
    const key = [...deeplyNestedPickle(20_000, 'append').subarray(2, -1)];
    const pickle = writeStateDictPickle([
      {
        name: 'w',
        storageType: 'FloatStorage',
        key: { raw: key },
        numel: 1,
        offset: 0,
        shape: [1],
        stride: [1],
      },
    ]);
    const zip = zipSync({ 'archive/data.pkl': [pickle, { level: 0 }] });
    refusal(toArrayBuffer(zip), 'bad-pickle', /malformed storage reference/);
  });

  it('a tensor expanded (stride 0) to 2^31 elements from one stored float (was an 8 GB allocation, 36 s)', () => {
    const buf = fuzzFixture('pth-expanded-2e31.pth');
    const work = refusal(buf, 'bad-pickle', /strided view of 2147483648 elements/);
    // Refused before its storage was even read, let alone copied out.
    expect(work.largestFloat32Array).toBe(0);
    expect(work.allocated.map((record) => record.name)).toEqual(['archive/data.pkl']);
  });

  it('a zip64 directory claiming 2^32 - 1 entries (was a loop over all of them: a hang)', () => {
    const work = refusal(
      fuzzFixture('pth-zip64-count-2e32.pth'),
      'bad-zip',
      /lists more entries than a 210-byte file can hold/,
    );
    // 210 bytes hold four entries of 46 bytes: the fifth ends the walk.
    expect(work.walks).toEqual([5]);
  });

  it('a deflated record of 20 bytes claiming to inflate to 1 GiB (was allocated before inflating)', () => {
    const buf = fuzzFixture('pth-deflate-claims-1gib.pth');
    const work = refusal(buf, 'bad-zip', /claims to inflate 20 compressed bytes to 1073741824/);
    // Only data.pkl (169 bytes inflated) was ever given a buffer: the claim was refused before fflate saw it.
    expect(work.allocated).toEqual([{ name: 'archive/data.pkl', bytes: 169 }]);
  });

  it('a 9 KB file whose data.pkl inflates to 9 MiB of EMPTY_LIST opcodes (a heap bomb)', () => {
    const work = refusal(
      fuzzFixture('pth-pickle-bomb-9mib.pth'),
      'bad-zip',
      /data\.pkl claims 9437184 bytes/,
    );
    // Refused at its directory entry: nothing was inflated, so the unpickler never built a list.
    expect(work.allocated).toEqual([]);
    expect(work.walks).toEqual([1]);
  });

  it('still reads an expanded tensor within what the file justifies', () => {
    const pickle = writeStateDictPickle([
      {
        name: 'w',
        storageType: 'FloatStorage',
        key: '0',
        numel: 1,
        offset: 0,
        shape: [2, 3],
        stride: [0, 0],
      },
    ]);
    const zip = zipSync({
      'archive/data.pkl': [pickle, { level: 0 }],
      'archive/data/0': [new Uint8Array(new Float32Array([1.5]).buffer), { level: 0 }],
    });
    expect(parsePyTorchCheckpoint(toArrayBuffer(zip)).get('w')?.data).toEqual(new Float32Array(6).fill(1.5));
    // The counters see a legitimate copy: the expanded view became one array of six floats.
    const { error, work } = parseCounting(toArrayBuffer(zip));
    expect(error).toBeUndefined();
    expect(work.largestFloat32Array).toBe(6);
  });
});
