import { describe, expect, it } from 'vitest';

import { loadLayersModelFromFiles } from './tfjsFormat';
import { WeightsFormatError } from './tensorMap';

const json = (value: unknown) => ({
  name: 'model.json',
  data: new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer,
});

/** A model.json naming two shards for one 4x4 float32 kernel (64 bytes). */
const twoShards = json({
  modelTopology: { class_name: 'Model' },
  weightsManifest: [
    {
      paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
      weights: [{ name: 'dense/kernel', shape: [4, 4], dtype: 'float32' }],
    },
  ],
});

async function formatError(files: Parameters<typeof loadLayersModelFromFiles>[0]) {
  const error = await loadLayersModelFromFiles(files).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WeightsFormatError);
  return error as WeightsFormatError;
}

describe('loadLayersModelFromFiles refuses, before building anything', () => {
  it('a model.json whose shards are missing, naming each one', async () => {
    const alone = await formatError([twoShards]);
    expect(alone.code).toBe('missing-record');
    expect(alone.message).toMatch(/needs weight file\(s\) group1-shard1of2\.bin, group1-shard2of2\.bin/);

    const half = await formatError([twoShards, { name: 'group1-shard1of2.bin', data: new ArrayBuffer(32) }]);
    expect(half.code).toBe('missing-record');
    expect(half.message).toMatch(/needs weight file\(s\) group1-shard2of2\.bin;/);
  });

  it('shards shorter than the manifest says', async () => {
    const short = await formatError([
      twoShards,
      { name: 'group1-shard1of2.bin', data: new ArrayBuffer(32) },
      { name: 'group1-shard2of2.bin', data: new ArrayBuffer(16) },
    ]);
    expect(short.code).toBe('truncated');
    expect(short.message).toMatch(/hold 48 bytes but model\.json describes 64/);
  });

  it('shards without their model.json, and a model.json that is not one', async () => {
    expect((await formatError([{ name: 'group1-shard1of1.bin', data: new ArrayBuffer(8) }])).code).toBe(
      'missing-record',
    );
    expect((await formatError([json({ hello: 'world' })])).code).toBe('bad-header');
    const notJson = { name: 'model.json', data: new TextEncoder().encode('{"modelTopology": ').buffer };
    expect((await formatError([notJson as { name: string; data: ArrayBuffer }])).code).toBe('bad-header');
  });
});
