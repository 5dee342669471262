import { createHash } from 'node:crypto';
import xxhash from 'xxhash-wasm';
import { describe, expect, it } from 'vitest';

import { legacySha256, matchesChecksum, modelChecksum } from './checkedModelStore';
import type { StoredModel } from './checkedModelStore';

const topology = { class_name: 'Functional', config: { name: 'tiny' } };
const specs = [{ name: 'conv/kernel', shape: [3, 3, 3, 8], dtype: 'float32' as const }];

/** Weight bytes longer than two of the hasher's chunks, with a pattern so a moved byte changes the hash. */
function weights(bytes = 3 * (1 << 20) + 123): ArrayBuffer {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + (i >> 11)) & 255;
  return data.buffer;
}

function record(weightData: ArrayBuffer, checksum: Partial<StoredModel>): StoredModel {
  return { key: 'k', modelTopology: topology, weightSpecs: specs, weightData, ...checksum };
}

describe('modelChecksum', () => {
  it('is XXH64 of the topology and specs as JSON followed by the weights, fed in chunks', async () => {
    const data = weights();
    const head = new TextEncoder().encode(JSON.stringify({ modelTopology: topology, weightSpecs: specs }));
    const all = new Uint8Array(head.byteLength + data.byteLength);
    all.set(head, 0);
    all.set(new Uint8Array(data), head.byteLength);
    const { h64Raw } = await xxhash();
    expect(await modelChecksum(topology, specs, data)).toBe(h64Raw(all).toString(16).padStart(16, '0'));
    expect(await modelChecksum(topology, specs, data)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('matchesChecksum', () => {
  it('accepts an intact copy and finds one flipped bit anywhere, in the weights or the topology', async () => {
    const data = weights();
    const stored = record(data, { xxh64: await modelChecksum(topology, specs, data) });
    expect(await matchesChecksum(stored)).toBe(true);
    for (const at of [0, 1 << 20, data.byteLength - 1]) {
      const damaged = data.slice(0);
      new Uint8Array(damaged)[at]! ^= 0x10;
      expect(await matchesChecksum({ ...stored, weightData: damaged })).toBe(false);
    }
    expect(
      await matchesChecksum({ ...stored, modelTopology: { ...topology, config: { name: 'tinz' } } }),
    ).toBe(false);
  });

  it('checks a copy stored by an earlier version against its SHA-256, and a copy with no checksum fails', async () => {
    const data = weights(4096);
    const legacy = record(data, { sha256: await legacySha256(topology, specs, data) });
    // As earlier versions stored it: SHA-256 of the JSON head and then the weights (Node's own hash here).
    const head = JSON.stringify({ modelTopology: topology, weightSpecs: specs });
    expect(legacy.sha256).toBe(createHash('sha256').update(head).update(new Uint8Array(data)).digest('hex'));
    expect(await matchesChecksum(legacy)).toBe(true);
    const damaged = data.slice(0);
    new Uint8Array(damaged)[7]! ^= 1;
    expect(await matchesChecksum({ ...legacy, weightData: damaged })).toBe(false);
    expect(await matchesChecksum(record(data, {}))).toBe(false);
  });
});
