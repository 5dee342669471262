import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { initialHeadWeights } from '../shared/teach/headWeights';
import type { DenseWeights, HeadWeights } from '../shared/teach/headWeights';
import { TaughtModelFileError, readTaughtModelFile, writeTaughtModelFile } from './taughtModelFile';
import type { TaughtModelPackage } from './taughtModelFile';

const backbone = {
  variant: 'resnet18',
  origin: 'random',
  weightsName: 'ResNet18, random init (seed 42)',
  checksum: null,
} as const;

function pkg(head: HeadWeights, classNames = ['cat', 'coffee', 'rocket']): TaughtModelPackage {
  return { name: 'things', classNames, head, backbone };
}

const dense = () => initialHeadWeights({ kind: 'dense', features: 512, classes: 3 }, 1);

async function refusal(bytes: Uint8Array): Promise<TaughtModelFileError> {
  const error: unknown = await readTaughtModelFile(bytes).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(TaughtModelFileError);
  return error as TaughtModelFileError;
}

/** The export's entries with some replaced, zipped again (the manifest's checksums left as they were). */
async function rezipped(change: Record<string, Uint8Array>): Promise<Uint8Array> {
  return zipSync({ ...unzipSync(await writeTaughtModelFile(pkg(dense()))), ...change });
}

describe('the taught model file', () => {
  it.each([
    ['dense', dense()],
    ['hidden', initialHeadWeights({ kind: 'hidden', features: 512, hiddenUnits: 16, classes: 3 }, 2)],
    [
      'keepImageNet',
      initialHeadWeights(
        {
          kind: 'keepImageNet',
          kept: initialHeadWeights({ kind: 'dense', features: 512, classes: 1000 }, 3).output,
          classes: 3,
        },
        4,
      ),
    ],
  ])('reads back the %s head it wrote, weight for weight', async (_kind, head) => {
    const { head: readHead, ...read } = await readTaughtModelFile(await writeTaughtModelFile(pkg(head)));
    const { head: _written, ...written } = pkg(head);
    expect(read).toEqual(written);
    // Byte for byte: toEqual over a million floats takes seconds.
    const layers = (h: HeadWeights) => Object.entries(h).filter(([key]) => key !== 'kind');
    expect(readHead.kind).toBe(head.kind);
    for (const [key, layer] of layers(head)) {
      const other = readHead[key as keyof HeadWeights] as unknown as DenseWeights;
      const { inputs, outputs, kernel, bias } = layer as DenseWeights;
      expect([other.inputs, other.outputs]).toEqual([inputs, outputs]);
      expect(Buffer.compare(Buffer.from(other.kernel.buffer), Buffer.from(kernel.buffer)), key).toBe(0);
      expect(Buffer.compare(Buffer.from(other.bias.buffer), Buffer.from(bias.buffer)), key).toBe(0);
    }
  });

  it('holds a TF.js layers model, its labels and a manifest with each file checksum and the backbone', async () => {
    const entries = unzipSync(await writeTaughtModelFile(pkg(dense())));
    expect(Object.keys(entries).sort()).toEqual([
      'labels.json',
      'manifest.json',
      'model.json',
      'weights.bin',
    ]);
    const model = JSON.parse(new TextDecoder().decode(entries['model.json']));
    expect(model.format).toBe('layers-model');
    expect(model.weightsManifest[0].weights.map((w: { shape: number[] }) => w.shape)).toEqual([
      [512, 3],
      [3],
    ]);
    const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json']));
    expect(manifest.backbone).toEqual(backbone);
    expect(Object.keys(manifest.sha256).sort()).toEqual(['labels.json', 'model.json', 'weights.bin']);
    expect(manifest.sha256['weights.bin']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a file that is not a zip', async () => {
    expect((await refusal(strToU8('{"not": "a zip"}'))).problem).toBe('not-zip');
    expect((await refusal(new Uint8Array())).problem).toBe('not-zip');
  });

  it('refuses a zip of another kind', async () => {
    const error = await refusal(zipSync({ 'readme.txt': strToU8('hello') }));
    expect(error.problem).toBe('other-kind');
    expect(error.message).toContain('not a taught model');
  });

  it('refuses a file whose weights no longer match their checksum', async () => {
    const weights = unzipSync(await writeTaughtModelFile(pkg(dense())))['weights.bin']!.slice();
    weights[7] = weights[7]! ^ 0x40;
    const error = await refusal(await rezipped({ 'weights.bin': weights }));
    expect(error.problem).toBe('damaged');
    expect(error.message).toContain('weights.bin does not match its checksum');
  });

  it('refuses a truncated file and one with a file missing', async () => {
    const bytes = await writeTaughtModelFile(pkg(dense()));
    expect((await refusal(bytes.subarray(0, bytes.length - 40))).problem).toBe('damaged');
    const entries = unzipSync(bytes);
    delete entries['labels.json'];
    expect((await refusal(zipSync(entries))).message).toContain('labels.json is missing');
  });

  it('refuses a file from a newer version', async () => {
    const entries = unzipSync(await writeTaughtModelFile(pkg(dense())));
    const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json']));
    const newer = strToU8(JSON.stringify({ ...manifest, version: 2 }));
    expect((await refusal(await rezipped({ 'manifest.json': newer }))).problem).toBe('newer');
  });

  it('refuses a head whose features are not its backbone’s', async () => {
    const head = initialHeadWeights({ kind: 'dense', features: 2048, classes: 3 }, 1);
    const error = await refusal(await writeTaughtModelFile(pkg(head)));
    expect(error.message).toContain('reads 2048 features');
  });

  it('refuses labels that do not fit the head', async () => {
    const error = await refusal(await writeTaughtModelFile(pkg(dense(), ['cat', 'coffee'])));
    expect(error.message).toContain('does not fit its classes');
  });
});
