/**
 * More ways in and results to take away (issue #13): a nested folder, exports as CSV and JSON, shareable links
 * (copied, reopened, tampered with), and images loaded by their address from servers with and without CORS.
 */
import { expect, test } from './test';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CSV_HEADER } from '../src/shared/resultsExport';
import { parseCsv } from '../src/testing/csv';
import { download, expectModelReady, fixture, openApp, predictionsOf, resultFor } from './helpers';

/** The folder picked in the tests: images at three depths, one in a folder named by class index, and a text file. */
const FOLDER_IMAGES = [
  { path: 'photos/tabby/chelsea.jpg', source: 'chelsea.jpg', label: 'tabby' },
  { path: 'photos/967/coffee.jpg', source: 'coffee.jpg', label: '967' },
  { path: 'photos/misc/space/rocket.jpg', source: 'rocket.jpg', label: '' },
  { path: 'photos/astronaut.jpg', source: 'astronaut.jpg', label: '' },
];

function makePhotoFolder(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'intake-'));
  for (const image of FOLDER_IMAGES) {
    const target = path.join(root, image.path);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(fixture(image.source), target);
  }
  writeFileSync(path.join(root, 'photos', 'notes.txt'), 'not an image');
  return path.join(root, 'photos');
}

test('a nested folder: every image classified with its path shown; CSV and JSON exports of what is shown', async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId('folder-input').setInputFiles(makePhotoFolder());
  const cards = page.getByTestId('result');
  await expect(cards).toHaveCount(FOLDER_IMAGES.length);
  // What was left out is said (the text file; hidden files too, if the browser passed any on).
  await expect(page.getByTestId('intake-notice')).toContainText(/left out/);

  const shown = new Map<string, { classIndex: number; probability: number }[]>();
  for (const image of FOLDER_IMAGES) {
    const name = path.basename(image.path);
    const card = resultFor(page, name);
    await expect(card).toHaveAttribute('data-relative-path', image.path);
    await expect(card.getByTestId('result-path')).toHaveText(`${path.dirname(image.path)}/`);
    shown.set(image.path, await predictionsOf(page, name, 'resnet18'));
  }

  const k = 3;
  await page.getByTestId('topk-input').fill(String(k));
  await expect(resultFor(page, 'chelsea.jpg').getByTestId('prediction')).toHaveCount(k);

  const csv = await download(page, 'export-csv');
  expect(csv.name).toMatch(/^resnet-lens-results-\d{8}-\d{6}\.csv$/);
  expect(csv.text.startsWith('\uFEFF')).toBe(true);
  const [header, ...rows] = parseCsv(csv.text.slice(1));
  expect(header!.join(',')).toBe(CSV_HEADER);
  expect(rows).toHaveLength(FOLDER_IMAGES.length * k);
  const column = (name: string) => header!.indexOf(name);
  for (const image of FOLDER_IMAGES) {
    const mine = rows.filter((r) => r[column('file')] === image.path);
    expect(mine.map((r) => r[column('rank')])).toEqual(['1', '2', '3']);
    const predictions = shown.get(image.path)!;
    mine.forEach((r, i) => {
      expect(r[column('folder_label')]).toBe(image.label);
      expect(r[column('model')]).toBe('resnet18');
      expect(r[column('weights')]).toMatch(/random init/);
      expect(Number(r[column('class_index')])).toBe(predictions[i]!.classIndex);
      expect(Number(r[column('probability')])).toBeCloseTo(predictions[i]!.probability, 6);
      expect(r[column('label')]!.length).toBeGreaterThan(0);
      expect(Number(r[column('ms')])).toBeGreaterThan(0);
    });
  }

  const json = await download(page, 'export-json');
  expect(json.name).toMatch(/^resnet-lens-results-\d{8}-\d{6}\.json$/);
  const document = JSON.parse(json.text) as {
    format: string;
    link: string;
    records: { file: string; folderLabel: string | null; rank: number }[];
  };
  expect(document.format).toBe('resnet-lens-results');
  expect(document.records).toHaveLength(FOLDER_IMAGES.length * k);
  expect(document.records.find((r) => r.file === 'photos/tabby/chelsea.jpg')?.folderLabel).toBe('tabby');
  expect(new URL(document.link).searchParams.get('k')).toBe(String(k));
});

test('a copied link reopens model, backend, k and the Look inside method and stage in a new page', async ({
  page,
  context,
  baseURL,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await openApp(page, '?model=resnet34&backend=wasm');
  await page.getByTestId('topk-input').fill('7');
  await page.getByTestId('image-input').setInputFiles(fixture('chelsea.jpg'));
  await predictionsOf(page, 'chelsea.jpg', 'resnet34');
  await resultFor(page, 'chelsea.jpg').getByTestId('inspect-button').click();
  await page.getByTestId('explain-method').selectOption('layercam');
  await page.getByTestId('explain-stage').selectOption('layer3');

  await page.getByTestId('copy-link').click();
  await expect(page.getByTestId('copy-link-status')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(await page.getByTestId('copy-link-status').getAttribute('data-link'));
  const params = new URL(link).searchParams;
  expect(Object.fromEntries(params)).toEqual({
    model: 'resnet34',
    backend: 'wasm',
    k: '7',
    method: 'layercam',
    stage: 'layer3',
  });

  const reopened = await context.newPage();
  await reopened.goto(link);
  await expectModelReady(reopened, 'resnet34');
  await expect(reopened.getByTestId('topk-input')).toHaveValue('7');
  await expect(reopened.getByTestId('backend-select')).toHaveValue('wasm');
  await expect(reopened.getByTestId('link-problems')).toHaveCount(0);
  // Only what the address bar keeps in step stays in it.
  expect(Object.fromEntries(new URL(reopened.url()).searchParams)).toEqual({
    model: 'resnet34',
    backend: 'wasm',
  });
  await reopened.getByTestId('image-input').setInputFiles(fixture('chelsea.jpg'));
  expect(await predictionsOf(reopened, 'chelsea.jpg', 'resnet34')).toHaveLength(7);
  await resultFor(reopened, 'chelsea.jpg').getByTestId('inspect-button').click();
  await expect(reopened.getByTestId('explain-method')).toHaveValue('layercam');
  await expect(reopened.getByTestId('explain-stage')).toHaveValue('layer3');
  await reopened.close();
});

test('a tampered link opens on the defaults and says what it could not use', async ({ page }) => {
  await page.goto('/?model=resnet18&k=999&method=lime&backend=cuda&stage=fc');
  await expectModelReady(page, 'resnet18');
  const problems = page.getByTestId('link-problems');
  await expect(problems).toBeVisible();
  await expect(problems.getByRole('listitem')).toHaveCount(4);
  await expect(problems).toContainText("The link's k=999 is not a number from 1 to 20; using 5.");
  await expect(problems).toContainText("The link's backend=cuda is not one of");
  await expect(page.getByTestId('topk-input')).toHaveValue('5');
  await expect(page.getByTestId('backend-select')).toHaveValue('auto');
  expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ model: 'resnet18' });
  await problems.getByRole('button', { name: 'Dismiss' }).click();
  await expect(problems).toHaveCount(0);
});

test.describe('images by address', () => {
  let server: Server;
  let origin: string;

  test.beforeAll(async () => {
    const photo = readFileSync(fixture('chelsea.jpg'));
    // One photo, served with CORS under /cors/ and without it under /plain/.
    server = createServer((request, response) => {
      const cors = request.url?.startsWith('/cors/');
      if (!cors && !request.url?.startsWith('/plain/')) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, {
        'content-type': 'image/jpeg',
        'content-length': String(photo.byteLength),
        ...(cors
          ? { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' }
          : {}),
      });
      response.end(photo);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  test.afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('from a host that allows it: classified; dragged in as a link: too; without CORS or http(s): said why', async ({
    page,
  }) => {
    await openApp(page);
    await page.getByTestId('url-input').fill(`${origin}/cors/photos/kitty.jpg?size=large`);
    await page.getByTestId('url-load').click();
    const fromUrl = await predictionsOf(page, 'kitty.jpg', 'resnet18');
    expect(fromUrl).toHaveLength(5);
    await expect(resultFor(page, 'kitty.jpg')).toHaveAttribute('data-relative-path', '');

    // The same photo from a file gets the same answer.
    await page.getByTestId('image-input').setInputFiles(fixture('chelsea.jpg'));
    expect(await predictionsOf(page, 'chelsea.jpg', 'resnet18')).toEqual(fromUrl);

    // A link dragged from another tab: the drop carries only text/uri-list.
    const dataTransfer = await page.evaluateHandle((url) => {
      const data = new DataTransfer();
      data.setData('text/uri-list', url);
      return data;
    }, `${origin}/cors/dragged.jpg`);
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
    expect(await predictionsOf(page, 'dragged.jpg', 'resnet18')).toEqual(fromUrl);

    await page.getByTestId('url-input').fill(`${origin}/plain/secret.jpg`);
    await page.getByTestId('url-input').press('Enter');
    const error = page.locator('[data-testid="error"][data-error-code="cors"]');
    await expect(error).toContainText('does not let other pages read its images');
    await expect(error).toContainText('drop the file here');
    await expect(resultFor(page, 'secret.jpg')).toHaveCount(0);
    await error.getByRole('button', { name: 'Dismiss' }).click();
    await expect(error).toHaveCount(0);

    await page.getByTestId('url-input').fill('file:///etc/passwd');
    await page.getByTestId('url-load').click();
    await expect(page.locator('[data-testid="error"][data-error-code="scheme"]')).toContainText(
      'Only http(s) addresses can be loaded',
    );
    await expect(page.getByTestId('result')).toHaveCount(3);
  });
});
