/**
 * Fuzzes the taught model file's reader: arbitrary bytes, bytes behind a zip's magic, mutated valid exports, and
 * exports whose manifest, model.json or labels were replaced by arbitrary JSON under correct checksums (so the
 * fuzzer gets past the checksums to the checks behind them). Every input must end, quickly, in a taught model or
 * a TaughtModelFileError.
 */
import fc from 'fast-check';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, it } from 'vitest';

import { initialHeadWeights } from '../shared/teach/headWeights';
import {
  FUZZ_TIMEOUT_MS,
  FuzzRecorder,
  behindMagic,
  fuzzParameters,
  hexPreview,
  mutatedSeed,
  zipLayout,
} from '../testing/fuzz';
import type { Seed } from '../testing/fuzz';
import { TaughtModelFileError, readTaughtModelFile, writeTaughtModelFile } from './taughtModelFile';
import { sha256 } from './weightsCache';

let seeds: Seed[] = [];
let entries: Record<string, Uint8Array> = {};

beforeAll(async () => {
  const backbone = { variant: 'resnet18', origin: 'random', weightsName: 'seeded', checksum: null } as const;
  const files = await Promise.all([
    writeTaughtModelFile({
      name: 'pets',
      classNames: ['cat', 'dog'],
      head: initialHeadWeights({ kind: 'dense', features: 512, classes: 2 }, 1),
      backbone,
    }),
    writeTaughtModelFile({
      name: 'h',
      classNames: ['a', 'b'],
      head: initialHeadWeights({ kind: 'hidden', features: 512, hiddenUnits: 2, classes: 2 }, 2),
      backbone,
    }),
  ]);
  seeds = files.map((bytes) => ({ bytes, ...zipLayout(bytes) }));
  entries = unzipSync(files[0]!);
});

const json = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** The first export with one file's JSON changed, the manifest's checksums made to match it. */
async function withJson(entry: string, value: unknown, path: string[]): Promise<Uint8Array> {
  const changed = { ...entries };
  const replace = (at: unknown, keys: string[]): unknown => {
    if (keys.length === 0 || typeof at !== 'object' || at === null) return value;
    const [key, ...rest] = keys;
    return Array.isArray(at)
      ? at.map((item, i) => (String(i) === key ? replace(item, rest) : item))
      : { ...at, [key!]: replace((at as Record<string, unknown>)[key!], rest) };
  };
  changed[entry] = strToU8(JSON.stringify(replace(json(entries[entry]!), path)) ?? 'null');
  if (entry !== 'manifest.json') {
    const manifest = json(entries['manifest.json']!) as { sha256: Record<string, string> };
    manifest.sha256[entry] = await sha256(changed[entry]!.slice().buffer);
    changed['manifest.json'] = strToU8(JSON.stringify(manifest));
  }
  return zipSync(changed);
}

const PATHS: Record<string, string[][]> = {
  'manifest.json': [[], ['format'], ['version'], ['name'], ['head'], ['backbone'], ['backbone', 'variant']],
  'model.json': [
    [],
    ['modelTopology', 'config', 'layers'],
    ['modelTopology', 'config', 'layers', '0', 'config', 'units'],
    ['weightsManifest'],
    ['weightsManifest', '0', 'weights', '0', 'shape'],
    ['weightsManifest', '0', 'weights', '1', 'dtype'],
  ],
  'labels.json': [[], ['0'], ['1']],
};

describe('readTaughtModelFile fuzz', () => {
  it(
    'fuzz: any bytes end in a taught model or a TaughtModelFileError, quickly',
    async () => {
      const recorder = new FuzzRecorder('readTaughtModelFile', (e) => e instanceof TaughtModelFileError);
      const edited = fc
        .record({
          entry: fc.constantFrom(...Object.keys(PATHS)),
          pick: fc.nat(),
          value: fc.jsonValue({ maxDepth: 3 }),
        })
        .map(({ entry, pick, value }) => ({
          entry,
          path: PATHS[entry]![pick % PATHS[entry]!.length]!,
          value,
        }));
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ bytes })),
            behindMagic([0x50, 0x4b, 0x03, 0x04]).map((bytes) => ({ bytes })),
            mutatedSeed(seeds).map((bytes) => ({ bytes })),
            edited,
          ),
          async (drawn) => {
            const bytes =
              'bytes' in drawn ? drawn.bytes : await withJson(drawn.entry, drawn.value, drawn.path);
            await recorder.runAsync(
              () => readTaughtModelFile(bytes),
              () => ('bytes' in drawn ? hexPreview(bytes) : JSON.stringify(drawn).slice(0, 200)),
            );
          },
        ),
        fuzzParameters(),
      );
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});
