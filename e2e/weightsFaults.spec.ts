import { expect, test } from './test';
import type { Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { WEIGHTS_PORT } from '../playwright.config';
import { addImages, expectModelReady, fixture, openApp, predictionsOf } from './helpers';
import { editSafetensorsHeader } from './safetensorsEdit';

/**
 * Issue #7's bad weights files and failed downloads, beyond what weights.spec.ts covers: each is refused with a
 * message naming the problem, the active model keeps classifying, and Cache Storage holds nothing half-written.
 * WASM, because on this machine's software WebGL every load would take several times longer.
 */

const ROOT = path.resolve(path.dirname(fixture('x')), '..', '..');
const REFERENCE = path.join(ROOT, 'test-fixtures', 'reference');
const LOADER_FIXTURES = path.join(ROOT, 'src', 'model', 'weights', '__fixtures__');
const WEIGHTS_HOST = `http://127.0.0.1:${WEIGHTS_PORT}`;
const APP = '?model=resnet18&backend=wasm';

type Header = Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;

function readHeader(file: Buffer): { header: Header; dataStart: number } {
  const length = Number(file.readBigUInt64LE(0));
  return {
    header: JSON.parse(file.subarray(8, 8 + length).toString('utf8')) as Header,
    dataStart: 8 + length,
  };
}

/** A copy of an F32 safetensors file with some values of one tensor replaced. */
function withValues(file: Buffer, tensor: string, values: Record<number, number>): Buffer {
  const copy = Buffer.from(file);
  const { header, dataStart } = readHeader(copy);
  const entry = header[tensor]!;
  for (const [index, value] of Object.entries(values)) {
    copy.writeFloatLE(value, dataStart + entry.data_offsets[0] + Number(index) * 4);
  }
  return copy;
}

/** A copy with one more F32 tensor, its bytes appended after the others'. */
function withExtraTensor(file: Buffer, name: string, shape: number[]): Buffer {
  const { dataStart } = readHeader(file);
  const end = file.length - dataStart;
  const bytes = shape.reduce((a, b) => a * b, 1) * 4;
  const edited = editSafetensorsHeader(file, (header) => {
    header[name] = { dtype: 'F32', shape, data_offsets: [end, end + bytes] };
  });
  return Buffer.concat([edited, Buffer.alloc(bytes)]);
}

/** Every request URL in every cache of Cache Storage. */
function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
    }
    return urls;
  });
}

const banner = (page: Page) => page.locator('.error-banner[data-testid="error"]');

async function expectRefusedAndUntouched(page: Page, what: string, message: RegExp | string) {
  await expect(banner(page), what).toContainText(message);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-model', 'resnet18');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'random');
  await banner(page).getByRole('button', { name: 'Dismiss error' }).click();
}

test('bad weight files are refused naming the problem; the active model keeps classifying and nothing is cached', async ({
  page,
}, testInfo) => {
  await openApp(page, APP);
  const good = readFileSync(path.join(REFERENCE, 'resnet18.safetensors'));
  const goodPth = readFileSync(path.join(REFERENCE, 'resnet18.pth'));
  const absurd = Buffer.concat([Buffer.alloc(8), Buffer.from('{"a":{}}')]);
  absurd.writeBigUInt64LE(2n ** 53n);
  const modelJson = JSON.stringify({
    modelTopology: { class_name: 'Functional', config: { layers: [] } },
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [] }],
  });
  // Written to disk: Chromium reads a file path itself, where a 46 MB buffer would cross the protocol slowly.
  const file = (name: string, buffer: Buffer) => {
    const target = testInfo.outputPath(name);
    writeFileSync(target, buffer);
    return target;
  };

  const cases: { files: string[]; message: RegExp }[] = [
    {
      files: [file('extra.safetensors', withExtraTensor(good, 'fc2.weight', [10, 512]))],
      message: /These weights do not fit torchvision's ResNet18: 1 unexpected: fc2\.weight\./,
    },
    {
      files: [file('nan.safetensors', withValues(good, 'layer1.0.bn1.running_var', { 3: NaN, 7: NaN }))],
      message: /1 with NaN\/Inf values: layer1\.0\.bn1\.running_var \(2 NaN\)\./,
    },
    {
      files: [file('inf.safetensors', withValues(good, 'fc.bias', { 0: Infinity, 999: -Infinity }))],
      message: /1 with NaN\/Inf values: fc\.bias \(2 Inf\)\./,
    },
    {
      // Refused from its first 8 bytes: nothing near 2^53 bytes is ever allocated.
      files: [file('absurd.safetensors', absurd)],
      message: /safetensors header length 9007199254740992 bytes is absurd/,
    },
    {
      files: [file('eval.pth', readFileSync(path.join(LOADER_FIXTURES, 'evil-eval-proto4.pth')))],
      message: /Python global "builtins\.eval", which this loader refuses/,
    },
    {
      files: [file('truncated.pth', goodPth.subarray(0, Math.floor(goodPth.length * 0.6)))],
      message: /no end-of-archive record; the file is truncated/,
    },
    {
      files: [
        file(
          'bottleneck.safetensors',
          editSafetensorsHeader(good, (header) => {
            header['layer1.0.conv3.weight'] = header['layer1.0.conv2.weight']!;
            delete header['layer1.0.conv2.weight'];
          }),
        ),
      ],
      message: /Found Bottleneck blocks \(layer1\.0\.conv3\.weight\).*only ResNet18 and ResNet34/,
    },
    {
      files: [
        file(
          'five-blocks.safetensors',
          editSafetensorsHeader(good, (header) => {
            for (const name of Object.keys(header).filter((n) => n.startsWith('layer4.1.'))) {
              header[name.replace('layer4.1.', 'layer4.2.')] = header[name]!;
              delete header[name];
            }
          }),
        ),
      ],
      message: /Found blocks per stage layer1: 2, layer2: 2, layer3: 2, layer4: 3/,
    },
    {
      files: [file('model.json', Buffer.from(modelJson)), file('group1-shard1of2.bin', Buffer.alloc(64))],
      message: /model\.json needs weight file\(s\) group1-shard2of2\.bin; select them together/,
    },
  ];
  for (const c of cases) {
    await page.getByTestId('weights-input').setInputFiles(c.files);
    await expectRefusedAndUntouched(page, path.basename(c.files[0]!), c.message);
  }
  expect(await cachedUrls(page)).toEqual([]);
  await expect(page.getByTestId('cached-weights-entry')).toHaveCount(0);
  await addImages(page, fixture('rocket.jpg'));
  expect(await predictionsOf(page, 'rocket.jpg', 'resnet18')).toHaveLength(5);
});

test('failed downloads (404, CORS, cut halfway with or without a length, truncated, shards missing) leave no cache entry', async ({
  page,
}) => {
  await openApp(page, APP);
  const cases: { url: string; message: RegExp }[] = [
    { url: '/timm/resnet99.tv_in1k/resolve/main/model.safetensors', message: /HTTP 404/ },
    { url: '/no-cors/resnet18.safetensors', message: /Could not reach 127\.0\.0\.1:\d+: .*CORS/ },
    {
      url: '/cut/resnet18.safetensors',
      message: /broke off after \d+ bytes|ended after \d+ of 46805560 bytes/,
    },
    { url: '/cut-chunked/resnet18.safetensors', message: /broke off after \d+ bytes/ },
    {
      url: '/truncated/resnet18.safetensors',
      message: /file holds only \d+ data bytes \(file truncated\?\)/,
    },
    {
      url: '/tfjs/model.json',
      message: /needs weight file\(s\) group1-shard1of1\.bin, but a URL brings only the model\.json/,
    },
  ];
  for (const c of cases) {
    await page.getByTestId('weights-url').fill(`${WEIGHTS_HOST}${c.url}`);
    await page.getByTestId('weights-load').click();
    await expectRefusedAndUntouched(page, c.url, c.message);
    await expect(page.getByTestId('weights-progress')).toHaveCount(0);
    expect(await cachedUrls(page), c.url).toEqual([]);
  }
  await expect(page.getByTestId('cached-weights-entry')).toHaveCount(0);
  await addImages(page, fixture('coffee.jpg'));
  expect(await predictionsOf(page, 'coffee.jpg', 'resnet18')).toHaveLength(5);
});

test('a full storage quota: the weights load anyway, the cache step says why it failed, and the switch is said', async ({
  page,
}) => {
  // Caching runs on the page (src/store/weightsSlice.ts), so stubbing the page's Cache is enough.
  await page.addInitScript(() => {
    Cache.prototype.put = () =>
      Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
  });
  await openApp(page, APP);
  const cacheNote = page.getByTestId('cache-note');
  const weightsNote = page.getByTestId('weights-note');

  const url = `${WEIGHTS_HOST}/timm/resnet18.tv_in1k/resolve/main/model.safetensors`;
  await page.getByTestId('weights-url').fill(url);
  await page.getByTestId('weights-load').click();
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'url');
  await expectModelReady(page, 'resnet18');
  await expect(cacheNote).toHaveText(
    'The weights are loaded but could not be cached for offline use: the storage quota is full.',
  );
  // The untrained model is the reference design; torchvision's weights rebuild it in their layout.
  await expect(weightsNote).toContainText(
    `${url} holds ResNet18 weights in torchvision's layout, so ResNet18 was rebuilt in that layout`,
  );
  await expect(banner(page)).toHaveCount(0);
  expect(await cachedUrls(page)).toEqual([]);
  await expect(page.getByTestId('cached-weights-entry')).toHaveCount(0);
  await addImages(page, fixture('chelsea.jpg'));
  expect(await predictionsOf(page, 'chelsea.jpg', 'resnet18')).toHaveLength(5);

  // A file of the other depth: the model switches to it, says so, and the cache step fails the same way.
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet34.safetensors'));
  await expectModelReady(page, 'resnet34');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file');
  await expect(weightsNote).toHaveText(
    "resnet34.safetensors holds ResNet34 weights in torchvision's layout, so the model switched from ResNet18 to ResNet34.",
  );
  await expect(cacheNote).toContainText('the storage quota is full');
  expect(await cachedUrls(page)).toEqual([]);
  expect(await predictionsOf(page, 'chelsea.jpg', 'resnet34')).toHaveLength(5);
});
