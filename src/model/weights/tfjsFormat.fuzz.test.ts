/**
 * Fuzzes the TF.js model reader with mutated model.json files (JSON values replaced, bytes flipped, nesting
 * deepened), lying weight manifests and cut or padded shards: every input must end, quickly, in a model or a
 * WeightsFormatError, and leave no tensor behind.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import type { NamedBuffer } from '../../shared/weightsFormat';
import {
  FUZZ_TIMEOUT_MS,
  FuzzRecorder,
  INTERESTING_INTEGERS,
  deeplyNestedJson,
  fuzzParameters,
  mutatedSeed,
  shortPrinted,
  toArrayBuffer,
  utf8,
} from '../../testing/fuzz';
import { tinyResNetNamedExport } from '../../testing/fuzzTfjs';
import { WeightsFormatError } from './tensorMap';
import { loadLayersModelFromFiles } from './tfjsFormat';

let seed: Awaited<ReturnType<typeof tinyResNetNamedExport>>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  seed = await tinyResNetNamedExport();
});

/** Every path to a value in a JSON document, up to `limit` of them, breadth first. */
function jsonPaths(root: unknown, limit = 400): Array<Array<string | number>> {
  const paths: Array<Array<string | number>> = [];
  const queue: Array<[unknown, Array<string | number>]> = [[root, []]];
  while (queue.length > 0 && paths.length < limit) {
    const [value, path] = queue.shift()!;
    paths.push(path);
    if (Array.isArray(value)) value.forEach((item, i) => queue.push([item, [...path, i]]));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) queue.push([v, [...path, k]]);
  }
  return paths;
}

function replaceAt(root: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

/** Values to put where the reader expects a path list, a shape, a dtype, a topology, a layer config. */
const oddValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 31,
    2 ** 53,
    1e308,
    '',
    'float16',
    'string',
    'complex64',
    'int32',
    'bool',
    'uint8',
    [],
    {},
    [2 ** 31],
    [-4, -4],
    [65536, 65536],
    ['group1-shard1of1.bin'],
    [{ name: 'fc/kernel', shape: [2, 2], dtype: 'float32' }],
    { dtype: 'uint8', scale: 1, min: 0 },
    { dtype: 'uint16', scale: 1, min: 0 },
    { dtype: 'float16' },
    { class_name: 'Dense', config: { units: 2 ** 30, name: 'fc' } },
    { class_name: 'Lambda', config: {} },
    { class_name: '__proto__', config: {} },
  ),
  fc.constantFrom(...INTERESTING_INTEGERS.map(Number)),
  fc.jsonValue({ maxDepth: 2 }),
  // Nesting travels as a marker and is spliced into the text: JSON.stringify itself would overflow on it.
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `${DEEP}${depth}`),
);

const DEEP = '\u0000deep:';
const deepen = (text: string) =>
  text.replace(/"\\u0000deep:(\d+)"/g, (_, depth: string) => deeplyNestedJson(Number(depth)));

/** Structured mutations: 1-3 values anywhere in model.json replaced (paths drawn as indexes, resolved late). */
const jsonMutation = fc.array(fc.record({ at: fc.nat(), value: oddValue }), { minLength: 1, maxLength: 3 });

type Case =
  | { kind: 'json'; edits: Array<{ at: number; value: unknown }>; bin: BinEdit }
  | { kind: 'bytes'; text: Uint8Array; bin: BinEdit }
  | { kind: 'files'; drop: boolean; extraJson: boolean; renameBin: string; bin: BinEdit };

type BinEdit = { cut: number; pad: number };
const binEdit: fc.Arbitrary<BinEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ cut: 0, pad: 0 }) },
  { weight: 1, arbitrary: fc.record({ cut: fc.nat(64), pad: fc.nat(8) }) },
);

const anyCase: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('json' as const), edits: jsonMutation, bin: binEdit }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('bytes' as const),
      // Resolved against the real seed in `filesOf`; here only the mutation recipe is drawn.
      text: fc.constant(new Uint8Array()),
      bin: binEdit,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('files' as const),
      drop: fc.boolean(),
      extraJson: fc.boolean(),
      renameBin: fc.constantFrom('', 'other.bin', 'group1-shard1of1.bin'),
      bin: binEdit,
    }),
  },
);

function shard(bin: Uint8Array, edit: BinEdit): ArrayBuffer {
  const cut = bin.subarray(0, Math.max(0, bin.length - edit.cut));
  const out = new Uint8Array(cut.length + edit.pad);
  out.set(cut);
  return out.buffer;
}

function filesOf(c: Case, textMutation: Uint8Array): NamedBuffer[] {
  const bin = { name: seed.binName, data: shard(seed.bin, c.bin) };
  if (c.kind === 'json') {
    let json: unknown = seed.json;
    for (const edit of c.edits) {
      const paths = jsonPaths(json);
      json = replaceAt(json, paths[edit.at % paths.length]!, edit.value);
    }
    return [{ name: 'model.json', data: toArrayBuffer(utf8(deepen(JSON.stringify(json) ?? ''))) }, bin];
  }
  if (c.kind === 'bytes') return [{ name: 'model.json', data: toArrayBuffer(textMutation) }, bin];
  const files: NamedBuffer[] = [];
  if (!c.drop) files.push({ name: 'model.json', data: toArrayBuffer(utf8(seed.jsonText)) });
  if (c.extraJson)
    files.push({ name: 'other.json', data: toArrayBuffer(utf8('{"modelTopology":1,"weightsManifest":[]}')) });
  files.push(c.renameBin ? { ...bin, name: c.renameBin } : bin);
  return files;
}

describe('loadLayersModelFromFiles fuzz', () => {
  it(
    'fuzz: every input ends in a model or a WeightsFormatError, quickly, without leaking tensors',
    async () => {
      const recorder = new FuzzRecorder('loadLayersModelFromFiles');
      const textMutations = shortPrinted(mutatedSeed([{ bytes: utf8(seed.jsonText) }]));
      await fc.assert(
        fc.asyncProperty(anyCase, textMutations, async (c, text) => {
          const files = filesOf(c, text);
          const tensorsBefore = tf.memory().numTensors;
          const outcome = await recorder.runAsync(
            () => loadLayersModelFromFiles(files),
            () => JSON.stringify(c).slice(0, 300),
            ({ model }) => model.dispose(),
          );
          if (outcome.ok) {
            expect(outcome.value.variant).toBe('resnet18');
            outcome.value.model.dispose();
          }
          expect(tf.memory().numTensors, 'tensors left behind').toBe(tensorsBefore);
        }),
        fuzzParameters(),
      );
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'fuzz: huge declared shapes and deep nesting are refused with a WeightsFormatError',
    async () => {
      // Up to 8 MB of model.json here, which takes its time to parse; gigabytes allocated would take far longer.
      const recorder = new FuzzRecorder('loadLayersModelFromFiles (huge sizes)', undefined, 1000);
      const manifest = (weights: unknown, paths: unknown = [seed.binName]) => ({
        ...seed.json,
        weightsManifest: [{ paths, weights }],
      });
      const cases: Array<[string, unknown]> = [
        ['a weight of shape [2^31]', manifest([{ name: 'fc/kernel', shape: [2 ** 31], dtype: 'float32' }])],
        [
          'a weight of shape [2^26, 2^26]',
          manifest([{ name: 'fc/kernel', shape: [2 ** 26, 2 ** 26], dtype: 'float32' }]),
        ],
        [
          'a weight of shape [-4, -4] (16 elements)',
          manifest([{ name: 'fc/kernel', shape: [-4, -4], dtype: 'float32' }]),
        ],
        [
          '200,000 weight entries',
          manifest(Array.from({ length: 200_000 }, () => ({ name: 'w', shape: [], dtype: 'float32' }))),
        ],
        ['paths nested 100,000 deep', manifest([], `${DEEP}100000`)],
        ['a topology nested 100,000 deep', { ...seed.json, modelTopology: `${DEEP}100000` }],
        [
          'a weight name nested 100,000 deep',
          manifest([{ name: `${DEEP}100000`, shape: [], dtype: 'float32' }]),
        ],
        ['a Dense layer of 2^30 units', withFirstLayer({ units: 2 ** 30 })],
        ['a Dense layer of 2^15 units', withFirstLayer({ units: 2 ** 15 })],
        ['a Dense layer of 2^25 units', withFirstLayer({ units: 2 ** 25 })],
      ];
      for (const [what, json] of cases) {
        const files = [
          { name: 'model.json', data: toArrayBuffer(utf8(deepen(JSON.stringify(json)))) },
          { name: seed.binName, data: seed.bin.slice().buffer },
        ];
        const tensorsBefore = tf.memory().numTensors;
        const outcome = await recorder.runAsync(
          () => loadLayersModelFromFiles(files),
          () => what,
        );
        expect(outcome.ok ? null : outcome.error, what).toBeInstanceOf(WeightsFormatError);
        expect(tf.memory().numTensors, `${what}: tensors left behind`).toBe(tensorsBefore);
      }
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});

/** model.json with the first layer's config changed (its weights in the manifest stay as they were). */
function withFirstLayer(config: Record<string, unknown>): unknown {
  const json = structuredClone(seed.json) as {
    modelTopology: { config: { layers: Array<{ config: Record<string, unknown> }> } };
  };
  const first = json.modelTopology.config.layers[0]!;
  first.config = { ...first.config, ...config };
  return json;
}
