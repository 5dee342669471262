import { describe, expect, it } from 'vitest';

import { WeightsFormatError } from './tensorMap';
import { modelFromWeightFiles } from './loadWeightFiles';

const modelJson = {
  name: 'model.json',
  data: new TextEncoder().encode(
    JSON.stringify({
      modelTopology: {},
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
    }),
  ).buffer as ArrayBuffer,
};

async function refusal(source: 'file' | 'url'): Promise<WeightsFormatError> {
  const error = await modelFromWeightFiles([modelJson], source, () => {}).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WeightsFormatError);
  return error as WeightsFormatError;
}

describe('modelFromWeightFiles', () => {
  it('asks for the missing shards of a dropped model.json', async () => {
    const error = await refusal('file');
    expect(error.code).toBe('missing-record');
    expect(error.message).toBe(
      'model.json needs weight file(s) group1-shard1of1.bin; select them together with the model.json.',
    );
  });

  it('explains that a model.json from a URL comes without its shards', async () => {
    const error = await refusal('url');
    expect(error.code).toBe('missing-record');
    expect(error.message).toBe(
      'model.json needs weight file(s) group1-shard1of1.bin, but a URL brings only the model.json. Download it with its shards and open them together.',
    );
  });

  it('refuses a lone file it cannot read, saying what it can', async () => {
    const notes = { name: 'notes.txt', data: new TextEncoder().encode('hello').buffer as ArrayBuffer };
    const error = await modelFromWeightFiles([notes], 'file', () => {}).then(
      () => null,
      (err: unknown) => err,
    );
    expect((error as WeightsFormatError).code).toBe('not-a-checkpoint');
    expect((error as Error).message).toMatch(
      /notes\.txt is not a weights file this app can read\. Supported:/,
    );
  });
});
