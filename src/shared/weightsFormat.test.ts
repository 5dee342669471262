import { describe, expect, it } from 'vitest';

import { detectWeightsFormat, looksLikeWeightsFile } from './weightsFormat';

const buf = (bytes: number[]) => new Uint8Array(bytes).buffer;
const text = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

describe('detectWeightsFormat', () => {
  it('recognizes a zip (torch.save) and a legacy pickle as PyTorch', () => {
    expect(detectWeightsFormat({ name: 'x.pth', data: buf([0x50, 0x4b, 3, 4, 0, 0]) })).toBe('pytorch');
    expect(detectWeightsFormat({ name: 'x.pt', data: buf([0x80, 2, 0x8a, 0x0a]) })).toBe('pytorch');
  });
  it('recognizes safetensors by its header, whatever the name', () => {
    const header = '{"a":1}';
    const bytes = [header.length, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(header)];
    expect(detectWeightsFormat({ name: 'weights.bin', data: buf(bytes) })).toBe('safetensors');
  });
  it('recognizes a .safetensors file with an absurd header length, so its reader can name the problem', () => {
    const absurd = [0, 0, 0, 0, 0, 0, 0x20, 0, ...new TextEncoder().encode('{}')]; // 2^53
    expect(detectWeightsFormat({ name: 'model.safetensors', data: buf(absurd) })).toBe('safetensors');
    expect(detectWeightsFormat({ name: 'model.weights', data: buf(absurd) })).toBe('unknown');
  });
  it('recognizes TF.js model.json and shards', () => {
    expect(detectWeightsFormat({ name: 'model.json', data: text('{"modelTopology":{}}') })).toBe('tfjs-json');
    expect(detectWeightsFormat({ name: 'group1-shard1of2.bin', data: buf([1, 2, 3]) })).toBe('tfjs-shard');
  });
  it('says unknown for anything else', () => {
    expect(detectWeightsFormat({ name: 'notes.txt', data: text('hello') })).toBe('unknown');
    expect(detectWeightsFormat({ name: 'empty.pth', data: buf([]) })).toBe('unknown');
  });
  it('routes dropped files by name', () => {
    expect(looksLikeWeightsFile('model.safetensors')).toBe(true);
    expect(looksLikeWeightsFile('resnet18-f37072fd.pth')).toBe(true);
    expect(looksLikeWeightsFile('cat.jpg')).toBe(false);
  });
});
