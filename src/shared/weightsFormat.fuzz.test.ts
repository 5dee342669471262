/**
 * Fuzzes detectWeightsFormat and looksLikeWeightsFile with mutated weight-file heads and random names: they
 * must never throw, whatever the bytes or the name, and must name one of the known formats.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  FUZZ_TIMEOUT_MS,
  FuzzRecorder,
  type Seed,
  behindMagic,
  fuzzParameters,
  hexPreview,
  mutatedSeed,
  shortPrinted,
  toArrayBuffer,
  utf8,
  writeSafetensors,
} from '../testing/fuzz';
import { detectWeightsFormat, looksLikeWeightsFile } from './weightsFormat';

const SEEDS: Seed[] = [
  { bytes: writeSafetensors({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)) },
  { bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0]) },
  { bytes: new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46]) },
  { bytes: utf8('  \n{"modelTopology": {}, "weightsManifest": []}') },
];

const name = fc.oneof(
  fc.constantFrom(
    'model.safetensors',
    'w.pth',
    'w.pt',
    'model.json',
    'group1-shard1of2.bin',
    'x.bin',
    'notes.txt',
    '',
    '.json',
  ),
  fc
    .tuple(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', '.json', '.JSON', '.bin', '.safetensors', '.pth'),
    )
    .map(([stem, extension]) => stem + extension),
  fc.string({ maxLength: 40, unit: 'binary' }),
);

const data = shortPrinted(
  fc.oneof(
    { weight: 4, arbitrary: mutatedSeed(SEEDS) },
    { weight: 1, arbitrary: behindMagic([0x50, 0x4b, 0x03, 0x04], 16) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }) },
  ),
);

describe('detectWeightsFormat fuzz', () => {
  it(
    'fuzz: never throws, on any bytes under any name',
    () => {
      const recorder = new FuzzRecorder('detectWeightsFormat + looksLikeWeightsFile', () => false);
      fc.assert(
        fc.property(name, data, (fileName, bytes) => {
          const buffer = toArrayBuffer(bytes);
          const outcome = recorder.run(
            () =>
              [
                detectWeightsFormat({ name: fileName, data: buffer }),
                looksLikeWeightsFile(fileName),
              ] as const,
            () => `${JSON.stringify(fileName)} ${hexPreview(bytes)}`,
          );
          if (!outcome.ok) return;
          expect(['safetensors', 'pytorch', 'tfjs-json', 'tfjs-shard', 'unknown']).toContain(
            outcome.value[0],
          );
          expect(typeof outcome.value[1]).toBe('boolean');
        }),
        fuzzParameters(),
      );
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});
