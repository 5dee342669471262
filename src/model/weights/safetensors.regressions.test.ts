/**
 * Inputs the fuzzer (safetensors.fuzz.test.ts) found that made parseSafetensors throw something other than a
 * WeightsFormatError, replayed so that the fixes stay in place.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { deeplyNestedJson, toArrayBuffer, writeSafetensors } from '../../testing/fuzz';
import { parseSafetensors } from './safetensors';
import { WeightsFormatError } from './tensorMap';

const fuzzFixture = (name: string) =>
  toArrayBuffer(new Uint8Array(readFileSync(new URL(`./__fixtures__/fuzz/${name}`, import.meta.url))));

function formatError(buf: ArrayBuffer): WeightsFormatError {
  let caught: unknown;
  try {
    parseSafetensors(buf);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WeightsFormatError);
  return caught as WeightsFormatError;
}

describe('parseSafetensors regressions found by fuzzing', () => {
  it('an empty tensor whose data_offsets lie past the file (was RangeError: Invalid typed array length)', () => {
    // {"w":{"dtype":"F32","shape":[0],"data_offsets":[1099511627776,1099511627776]}}
    const error = formatError(fuzzFixture('safetensors-empty-tensor-past-end.safetensors'));
    expect(error.code).toBe('bad-offsets');
    expect(error.message).toMatch(/empty tensor "w" sits at data byte 1099511627776, past the 0 data bytes/);
  });

  it('a shape nested 100,000 deep (was RangeError: Maximum call stack size exceeded, from the message)', () => {
    const header = `{"w":{"dtype":"F32","shape":${deeplyNestedJson(100_000)},"data_offsets":[0,0]}}`;
    const error = formatError(toArrayBuffer(writeSafetensors(header)));
    expect(error.code).toBe('bad-header');
    expect(error.message).toMatch(/tensor "w" has an invalid shape/);
  });

  it('data_offsets nested 100,000 deep', () => {
    const header = `{"w":{"dtype":"F32","shape":[],"data_offsets":${deeplyNestedJson(100_000)}}}`;
    expect(formatError(toArrayBuffer(writeSafetensors(header))).code).toBe('bad-offsets');
  });
});
