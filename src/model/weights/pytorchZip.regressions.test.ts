/**
 * Inputs the fuzzer (pytorchZip.fuzz.test.ts) found that made parsePyTorchCheckpoint throw something other
 * than a WeightsFormatError, hang, or allocate far beyond the file's size, replayed so the fixes stay in place.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { deeplyNestedPickle, toArrayBuffer, writeStateDictPickle } from '../../testing/fuzz';
import { parsePyTorchCheckpoint } from './pytorchZip';
import { WeightsFormatError, type WeightsFormatErrorCode } from './tensorMap';
import { zipSync } from 'fflate';

const fuzzFixture = (name: string) =>
  toArrayBuffer(new Uint8Array(readFileSync(new URL(`./__fixtures__/fuzz/${name}`, import.meta.url))));

/** The refusal, which must come fast: each of these once allocated gigabytes or looped for minutes. */
function refusal(buf: ArrayBuffer, code: WeightsFormatErrorCode, message: RegExp): void {
  const start = performance.now();
  let caught: unknown;
  try {
    parsePyTorchCheckpoint(buf);
  } catch (error) {
    caught = error;
  }
  expect(performance.now() - start).toBeLessThan(1000);
  expect(caught).toBeInstanceOf(WeightsFormatError);
  expect((caught as WeightsFormatError).code).toBe(code);
  expect((caught as Error).message).toMatch(message);
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
    refusal(fuzzFixture('pth-expanded-2e31.pth'), 'bad-pickle', /strided view of 2147483648 elements/);
  });

  it('a zip64 directory claiming 2^32 - 1 entries (was a loop over all of them: a hang)', () => {
    refusal(
      fuzzFixture('pth-zip64-count-2e32.pth'),
      'bad-zip',
      /lists more entries than a 210-byte file can hold/,
    );
  });

  it('a deflated record of 20 bytes claiming to inflate to 1 GiB (was allocated before inflating)', () => {
    refusal(
      fuzzFixture('pth-deflate-claims-1gib.pth'),
      'bad-zip',
      /claims to inflate 20 compressed bytes to 1073741824/,
    );
  });

  it('a 9 KB file whose data.pkl inflates to 9 MiB of EMPTY_LIST opcodes (a heap bomb)', () => {
    refusal(fuzzFixture('pth-pickle-bomb-9mib.pth'), 'bad-zip', /data\.pkl claims 9437184 bytes/);
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
  });
});
