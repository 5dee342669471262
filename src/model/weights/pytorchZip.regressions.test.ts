/**
 * Inputs the fuzzer (pytorchZip.fuzz.test.ts) found that made parsePyTorchCheckpoint throw something other
 * than a WeightsFormatError, hang, or allocate far beyond the file's size, replayed so the fixes stay in place.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { toArrayBuffer } from '../../testing/fuzz';
import { parsePyTorchCheckpoint } from './pytorchZip';
import { WeightsFormatError, type WeightsFormatErrorCode } from './tensorMap';

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
});
