/**
 * Compare mode in the real app: seeded ResNet18 beside the ImageNet-trained ResNet50 on committed photos, the
 * summary's numbers against the rows' own, sorting, Look inside with both models' maps, no tensors left behind after
 * a 100-image comparison, and accuracy on a labeled folder.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Page } from '@playwright/test';

import { parseCsv } from '../src/testing/csv';
import { expectNoSeriousViolations } from './axe';
import { addImages, download, fixture, numTensors, openApp, photoPaths, predictionsOf } from './helpers';
import { expect, test } from './test';

// What an ImageNet-trained ResNet50 must name (as in resnet50.spec.ts).
const RESNET50_TOP1: Record<string, number[]> = {
  'chelsea.jpg': [281, 282, 285],
  'coffee.jpg': [967, 968, 504],
  'motorcycle_left.jpg': [665, 670],
};
const PHOTOS = Object.keys(RESNET50_TOP1);
const MODELS = ['resnet18', 'resnet50'];

const byFileName = (a: { fileName: string }, b: { fileName: string }) => a.fileName.localeCompare(b.fileName);

/** Compare mode on, with exactly `models` chosen. */
async function compareModels(page: Page, models: readonly string[]): Promise<void> {
  await page.getByTestId('compare-toggle').check();
  const boxes = page.getByTestId('compare-model');
  await expect(boxes.first()).toBeVisible();
  for (const box of await boxes.all()) {
    const id = (await box.getAttribute('data-model-id'))!;
    await box.setChecked(models.includes(id));
  }
}

/** Waits until every row has an answer (or an error) from every compared model. */
async function comparisonDone(page: Page, rows: number, models: readonly string[], timeout = 180_000) {
  await expect(page.getByTestId('compare-row')).toHaveCount(rows, { timeout });
  await expect(
    page.locator(
      '[data-testid="compare-cell"][data-status="done"], [data-testid="compare-cell"][data-status="error"]',
    ),
  ).toHaveCount(rows * models.length, { timeout });
}

interface CellData {
  fileName: string;
  modelId: string;
  status: string;
  differs: boolean;
  classes: number[];
}

/** Every cell of every row, as the page shows it. */
function cellsOf(page: Page): Promise<CellData[]> {
  return page.getByTestId('compare-cell').evaluateAll((cells) =>
    cells.map((cell) => ({
      fileName: cell.closest('[data-testid="compare-row"]')!.getAttribute('data-file-name')!,
      modelId: cell.getAttribute('data-model-id')!,
      status: cell.getAttribute('data-status')!,
      differs: cell.getAttribute('data-top1-differs') === 'true',
      classes: [...cell.querySelectorAll('[data-testid="prediction"]')].map((p) =>
        Number(p.getAttribute('data-class-index')),
      ),
    })),
  );
}

/** The pair's top-1 agreement and mean top-5 overlap, computed here from the cells (both answered only). */
function agreementOf(cells: readonly CellData[], a: string, b: string) {
  const files = [...new Set(cells.map((c) => c.fileName))];
  let n = 0;
  let same = 0;
  let overlap = 0;
  for (const file of files) {
    const ca = cells.find((c) => c.fileName === file && c.modelId === a && c.classes.length > 0);
    const cb = cells.find((c) => c.fileName === file && c.modelId === b && c.classes.length > 0);
    if (!ca || !cb) continue;
    n++;
    if (ca.classes[0] === cb.classes[0]) same++;
    const depth = Math.min(5, ca.classes.length, cb.classes.length);
    const topA = new Set(ca.classes.slice(0, depth));
    overlap += cb.classes.slice(0, depth).filter((c) => topA.has(c)).length / depth;
  }
  return { n, top1: same / n, top5: overlap / n };
}

test('ResNet18 beside ResNet50: every row has both, the summary is the rows own, disagreements sort first, Look inside shows both maps', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openApp(page, '?model=resnet50');
  await compareModels(page, MODELS);
  // An image no model can read: its row has an error in each cell, and no disagreement.
  await addImages(page, [
    { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a jpeg at all') },
    ...PHOTOS.map((name) => ({ name, mimeType: 'image/jpeg', buffer: readFileSync(fixture(name)) })),
  ]);
  await comparisonDone(page, 4, MODELS);

  const cells = await cellsOf(page);
  for (const file of ['broken.jpg', ...PHOTOS]) {
    // One column per model, in the order they were chosen (the active ResNet50 was chosen with compare mode).
    expect(cells.filter((c) => c.fileName === file).map((c) => c.modelId)).toEqual(['resnet50', 'resnet18']);
  }
  for (const c of cells.filter((c) => c.fileName === 'broken.jpg')) {
    expect(c.status, c.modelId).toBe('error');
  }
  await expect(
    page.locator('[data-testid="compare-row"][data-file-name="broken.jpg"] [data-testid="compare-error"]'),
  ).toHaveCount(2);
  for (const file of PHOTOS) {
    const resnet50 = cells.find((c) => c.fileName === file && c.modelId === 'resnet50')!;
    expect(RESNET50_TOP1[file], file).toContain(resnet50.classes[0]);
    expect(resnet50.classes).toHaveLength(5);
    const resnet18 = cells.find((c) => c.fileName === file && c.modelId === 'resnet18')!;
    const differs = resnet18.classes[0] !== resnet50.classes[0];
    expect([resnet18.differs, resnet50.differs], file).toEqual([differs, differs]);
    const row = page.locator(`[data-testid="compare-row"][data-file-name="${file}"]`);
    await expect(row.getByTestId('differs-mark')).toHaveCount(differs ? 2 : 0);
  }

  // The summary's numbers are the rows'.
  const expected = agreementOf(cells, 'resnet50', 'resnet18');
  expect(expected.n).toBe(3);
  const agreement = page.getByTestId('agreement');
  await expect(agreement).toHaveCount(1);
  await expect(agreement).toHaveAttribute('data-model-a', 'resnet50');
  await expect(agreement).toHaveAttribute('data-model-b', 'resnet18');
  await expect(agreement).toHaveAttribute('data-n', '3');
  expect(Number(await agreement.getAttribute('data-top1-agreement'))).toBeCloseTo(expected.top1, 12);
  expect(Number(await agreement.getAttribute('data-top5-overlap'))).toBeCloseTo(expected.top5, 12);
  for (const model of MODELS) {
    const mean = Number(
      await page
        .locator(`[data-testid="compare-mean-ms"][data-model-id="${model}"]`)
        .getAttribute('data-mean-ms'),
    );
    expect(mean, model).toBeGreaterThan(0);
  }

  // The CSV holds what is shown: images x models x k rows (the broken image has no answers to export).
  const csv = await download(page, 'export-csv');
  const [header, ...records] = parseCsv(csv.text.slice(1));
  expect(records).toHaveLength(PHOTOS.length * MODELS.length * 5);
  const column = (name: string) => header!.indexOf(name);
  for (const c of cells.filter((cell) => cell.status === 'done')) {
    const mine = records.filter((r) => r[column('file')] === c.fileName && r[column('model')] === c.modelId);
    expect(
      mine.map((r) => Number(r[column('class_index')])),
      `${c.fileName} by ${c.modelId}`,
    ).toEqual(c.classes);
    expect(mine.map((r) => r[column('rank')])).toEqual(['1', '2', '3', '4', '5']);
  }

  // Disagreements first: the rows whose models differ, then the others (the broken image: no answers to differ).
  const flags = () =>
    page
      .getByTestId('compare-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-disagreement') === 'true'));
  const files = () =>
    page
      .getByTestId('compare-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-file-name') ?? ''));
  expect(await files()).toEqual(['broken.jpg', ...PHOTOS]);
  await page.getByTestId('disagreements-first').check();
  const sorted = await flags();
  expect(sorted).toEqual([...sorted].sort((a, b) => Number(b) - Number(a)));
  expect((await files()).at(-1)).toBe('broken.jpg');
  for (const [i, file] of (await files()).entries()) {
    const c = cells.filter((cell) => cell.fileName === file);
    expect(sorted[i], file).toBe(
      c.every((cell) => cell.classes.length > 0) && c[0]!.classes[0] !== c[1]!.classes[0],
    );
  }

  // Look inside: each model's class activation map of its own top-1, side by side.
  await page
    .locator('[data-testid="compare-row"][data-file-name="chelsea.jpg"]')
    .getByTestId('compare-inspect')
    .click();
  const maps = page.getByTestId('compared-cams');
  for (const model of MODELS) {
    const top1 = cells.find((c) => c.fileName === 'chelsea.jpg' && c.modelId === model)!.classes[0];
    const map = maps.locator(`[data-testid="compare-cam"][data-model-id="${model}"]`);
    await expect(map).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
    await expect(map).toHaveAttribute('data-class-index', String(top1));
    await expect(map.locator('canvas')).toHaveCount(2); // the input, and the map over it
  }
  await expect(page.getByTestId('feature-maps')).toHaveAttribute('data-status', 'ready');
});

test('after a 100-image comparison the engine holds the two models and nothing else', async ({ page }) => {
  test.setTimeout(400_000);
  await openApp(page, '?model=resnet50');
  await compareModels(page, MODELS);
  await addImages(page, [fixture('chelsea.jpg')]);
  await comparisonDone(page, 1, MODELS);
  // Both models loaded (ResNet50 active, ResNet18 in the compare slot), nothing running.
  await expect(page.getByTestId('compare-progress')).toHaveCount(0);
  await expect.poll(() => numTensors(page)).toBeGreaterThan(0);
  const before = await numTensors(page);
  const bytes = () => page.getByTestId('backend').getAttribute('data-num-bytes').then(Number);
  const bytesBefore = await bytes();

  const started = Date.now();
  await addImages(page, photoPaths(100));
  await expect(page.getByTestId('compare-progress')).toBeVisible();
  await comparisonDone(page, 101, MODELS, 360_000);
  test.info().annotations.push({ type: '100 images x 2 models', description: `${Date.now() - started} ms` });

  await expect(page.getByTestId('compare-progress')).toHaveCount(0);
  await expect.poll(() => numTensors(page), { timeout: 30_000 }).toBe(before);
  expect(await bytes()).toBe(bytesBefore);
  // The engine's memory in compare mode: docs/usage.md, "Compare models", quotes this figure.
  console.log(`engine memory, ResNet50 active + ResNet18 compared: ${before} tensors, ${bytesBefore} bytes`);
  const errors = await page.locator('[data-testid="compare-cell"][data-status="error"]').count();
  expect(errors).toBe(0);
});

test('a labeled folder is scored per model: top-1, top-5, the unlabeled, the misclassified', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // photos/<class>/<file>: three classes by name, one by index, and a folder that names no class.
  const root = path.join(mkdtempSync(path.join(tmpdir(), 'labeled-')), 'photos');
  const truth: Record<string, number | null> = {};
  for (const [folder, file, copy, classIndex] of [
    ['tabby', 'chelsea.jpg', 'chelsea.jpg', 281],
    ['espresso', 'coffee.jpg', 'coffee.jpg', 967],
    ['moped', 'motorcycle_left.jpg', 'motorcycle_left.jpg', 665],
    ['281', 'chelsea.jpg', 'chelsea-281.jpg', 281],
    ['unknownfolder', 'rocket.jpg', 'rocket.jpg', null],
  ] as const) {
    mkdirSync(path.join(root, folder), { recursive: true });
    cpSync(fixture(file), path.join(root, folder, copy));
    truth[copy] = classIndex;
  }
  const files = Object.keys(truth);

  /** What the eval summary must say, computed here from each image's shown top-5. */
  const expectedEval = (answers: Record<string, number[]>) => {
    const labeled = files.filter((f) => truth[f] !== null);
    const wrong = labeled.filter((f) => answers[f]![0] !== truth[f]);
    const top5 = labeled.filter((f) => answers[f]!.slice(0, 5).includes(truth[f]!)).length;
    return {
      n: labeled.length,
      top1: (labeled.length - wrong.length) / labeled.length,
      top5: top5 / labeled.length,
      unlabeled: files.length - labeled.length,
      misclassified: wrong
        .map((f) => ({ fileName: f, trueIndex: truth[f], predictedIndex: answers[f]![0] }))
        .sort(byFileName),
    };
  };
  const evalOf = async (modelId: string) => {
    const summary = page.locator(`[data-testid="eval-summary"][data-model-id="${modelId}"]`);
    return {
      n: Number(await summary.getAttribute('data-n')),
      top1: Number(await summary.getAttribute('data-top1')),
      top5: Number(await summary.getAttribute('data-top5')),
      unlabeled: Number(await summary.getAttribute('data-unlabeled')),
      // In the page's order of the images (the folder's listing): compared as a set.
      misclassified: (
        await summary.getByTestId('misclassified').evaluateAll((items) =>
          items.map((i) => ({
            fileName: i.getAttribute('data-file-name') ?? '',
            trueIndex: Number(i.getAttribute('data-true-index')),
            predictedIndex: Number(i.getAttribute('data-predicted-index')),
          })),
        )
      ).sort(byFileName),
    };
  };

  await openApp(page, '?model=resnet50');
  await expect(page.getByTestId('eval-summary')).toHaveCount(0);
  await page.getByTestId('folder-input').setInputFiles(root);

  // One model: the active ResNet50, scored on what its cards show.
  const resnet50: Record<string, number[]> = {};
  for (const f of files) resnet50[f] = (await predictionsOf(page, f, 'resnet50')).map((p) => p.classIndex);
  await expect(page.getByTestId('eval-summary')).toHaveCount(1);
  const single = expectedEval(resnet50);
  expect(single.n).toBe(4);
  await expect.poll(() => evalOf('resnet50')).toEqual(single);

  // Compared with ResNet18: one summary per model, each from its own column.
  await compareModels(page, MODELS);
  await comparisonDone(page, files.length, MODELS);
  const cells = await cellsOf(page);
  const resnet18: Record<string, number[]> = {};
  for (const f of files)
    resnet18[f] = cells.find((c) => c.fileName === f && c.modelId === 'resnet18')!.classes;
  await expect(page.getByTestId('eval-summary')).toHaveCount(2);
  expect(await evalOf('resnet50')).toEqual(single);
  expect(await evalOf('resnet18')).toEqual(expectedEval(resnet18));

  // The comparison, the accuracy and its misclassified list pass the accessibility audit in both themes.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  for (const theme of ['light', 'dark']) {
    const toggle = page.getByTestId('theme-toggle');
    if ((await toggle.getAttribute('data-theme')) !== theme) await toggle.click();
    await expect(toggle).toHaveAttribute('data-theme', theme);
    await expectNoSeriousViolations(page, `compare mode with a labeled folder, ${theme}`);
  }
});
