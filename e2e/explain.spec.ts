import { expect, test } from './test';
import type { Locator, Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
  addImages,
  expectModelReady,
  fixture,
  numTensors,
  openApp,
  predictionsOf,
  resultFor,
} from './helpers';

const REFERENCE = path.resolve(path.dirname(fixture('x')), '..', '..', 'test-fixtures', 'reference');
const EXPLAIN_REFERENCE = path.join(REFERENCE, 'resnet18.explain.json');
const PHOTO = 'chelsea-256.png';

/** Each map's resolution on ResNet18 (occlusion: the default 32-pixel patch every 16 pixels, 13x13 positions). */
const SHAPES: Record<string, [number, number]> = {
  stem: [56, 56],
  layer1: [56, 56],
  layer2: [28, 28],
  layer3: [14, 14],
  layer4: [7, 7],
  input: [224, 224],
};
const OCCLUSION_SHAPE: [number, number] = [13, 13];

interface ExportedMap {
  variant: string;
  weights: string;
  method: string;
  stage: string;
  classIndex: number;
  height: number;
  width: number;
  values: number[];
}

interface ExplainReference {
  classIndex: number;
  maps: {
    method: string;
    stage: string;
    height: number;
    width: number;
    values: number[];
    options?: { patch: number; stride: number };
    inputSize?: number;
  }[];
  integratedGradients: { attributionSum: number; scoreDifference: number };
  faithfulness: {
    method: string;
    stage: string;
    deletion: number[];
    insertion: number[];
    deletionAuc: number;
    insertionAuc: number;
  };
}

const inputLevel = (method: string) => method === 'occlusion' || method === 'ig';

/** Loads the seeded torchvision ResNet18 PyTorch explained, classifies the photo and opens Look inside. */
async function inspectWithTorchWeights(page: Page) {
  await openApp(page);
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file', { timeout: 180_000 });
  await expectModelReady(page, 'resnet18');
  await addImages(page, fixture(PHOTO));
  const predictions = await predictionsOf(page, PHOTO, 'resnet18');
  await resultFor(page, PHOTO).getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  return { panel, explain: panel.getByTestId('explain'), predictions };
}

/** Picks a class in the search box by number (the datalist's own suggestions are tested separately). */
async function chooseClass(explain: Locator, classIndex: number) {
  const search = explain.getByTestId('explain-class');
  await search.fill(String(classIndex));
  await search.press('Enter');
  await expect(search).toHaveAttribute('data-class-index', String(classIndex));
}

/** The map drawn for exactly this method, stage and class. */
function mapOf(explain: Locator, method: string, stage: string, classIndex: number, state = 'done') {
  return explain.locator(
    `[data-testid="explain-map"][data-method="${method}"][data-stage="${stage}"]` +
      `[data-class-index="${classIndex}"][data-state="${state}"]`,
  );
}

/**
 * Asks for an explanation through the controls (a change asks by itself once the first was asked for) and
 * waits until its map is drawn (a sweep's five).
 */
async function explainWith(
  explain: Locator,
  { method, stage, classIndex }: { method: string; stage: string; classIndex: number },
  timeout = 120_000,
): Promise<Locator> {
  await explain.getByTestId('explain-method').selectOption(method);
  const stageSelect = explain.getByTestId('explain-stage');
  if (await stageSelect.isEnabled()) await stageSelect.selectOption(stage);
  const search = explain.getByTestId('explain-class');
  if ((await search.getAttribute('data-class-index')) !== String(classIndex)) {
    await chooseClass(explain, classIndex);
  }
  const run = explain.getByTestId('explain-run');
  if (await run.isEnabled()) await run.click();
  if (stage === 'all' && !inputLevel(method)) {
    const sweep = explain.locator(
      `[data-testid="explain-map"][data-method="${method}"][data-class-index="${classIndex}"][data-state="done"]`,
    );
    await expect(sweep).toHaveCount(5, { timeout });
    return sweep;
  }
  const map = mapOf(explain, method, inputLevel(method) ? 'input' : stage, classIndex);
  await expect(map).toHaveCount(1, { timeout });
  return map;
}

/** Pixel facts of a drawn map: how far it is from the plain input, its spread, and a checksum. */
function mapFacts(canvas: Locator) {
  return canvas.evaluate((el) => {
    const read = (c: HTMLCanvasElement) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const map = el as HTMLCanvasElement;
    const input = read(document.querySelector<HTMLCanvasElement>('[data-testid="input-crop"]')!);
    const data = read(map);
    let diff = 0;
    let sum = 0;
    let sumSq = 0;
    let checksum = 0;
    for (let i = 0; i < data.length; i += 4) {
      for (let c = 0; c < 3; c++) {
        diff += Math.abs(data[i + c]! - input[i + c]!);
        sum += data[i + c]!;
        sumSq += data[i + c]! ** 2;
      }
      checksum = (checksum * 31 + ((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!)) >>> 0;
    }
    const n = (data.length / 4) * 3;
    return {
      width: map.width,
      height: map.height,
      meanDiffFromInput: diff / n,
      variance: sumSq / n - (sum / n) ** 2,
      checksum,
    };
  });
}

/** Clicks an export button and returns what was downloaded. */
async function download(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const saved = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(saved) };
}

async function exportJson<T = ExportedMap>(page: Page, explain: Locator): Promise<T> {
  const { bytes } = await download(page, explain.getByTestId('explain-export-json'));
  return JSON.parse(bytes.toString('utf8')) as T;
}

const maxAbsDiff = (a: readonly number[], b: readonly number[]) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** A map that is not blank: its values are not all the same. */
const spread = (values: readonly number[]) => Math.max(...values) - Math.min(...values);

test("each method draws a map of the class and stage chosen, and matches PyTorch's to 1e-2", async ({
  page,
}) => {
  // Seven methods on WASM (2 cores): Score-CAM's 256 masked passes, occlusion's 169 and integrated gradients' 32
  // backward passes take most of it.
  test.setTimeout(600_000);
  const reference = existsSync(EXPLAIN_REFERENCE)
    ? (JSON.parse(readFileSync(EXPLAIN_REFERENCE, 'utf8')) as ExplainReference)
    : null;
  const { explain, predictions } = await inspectWithTorchWeights(page);
  const classIndex = reference?.classIndex ?? predictions[0]!.classIndex;

  /** PyTorch's map for the same method and stage (occlusion: the app's default patch and stride). */
  const referenceFor = (mine: ExportedMap) =>
    reference?.maps.find(
      (m) =>
        m.method === mine.method &&
        m.stage === mine.stage &&
        m.inputSize === undefined &&
        (!m.options || (m.options.patch === 32 && m.options.stride === 16)),
    );

  // Score-CAM at one stage only, layer3 (one masked pass per channel: 256, against 512 at layer4). Both stages
  // are compared with PyTorch to 1e-3 in scoreCam.pytorch.test.ts (on the photo at half size); here it is the
  // browser's run at full size.
  const cases = [
    { method: 'cam', stage: 'layer4' },
    { method: 'gradcam', stage: 'layer4' },
    { method: 'gradcam', stage: 'layer3' },
    { method: 'gradcampp', stage: 'layer4' },
    { method: 'gradcampp', stage: 'layer3' },
    { method: 'gradcampp-eps', stage: 'layer4' },
    { method: 'gradcampp-eps', stage: 'layer3' },
    { method: 'layercam', stage: 'layer4' },
    { method: 'layercam', stage: 'layer3' },
    { method: 'scorecam', stage: 'layer3' },
    { method: 'occlusion', stage: 'layer4' },
    { method: 'ig', stage: 'layer4' },
  ];
  const exported: ExportedMap[] = [];
  let completeness: { attributionSum: number; scoreDifference: number } | null = null;
  for (const c of cases) {
    await test.step(`${c.method} at ${c.stage}`, async () => {
      const map = await explainWith(explain, { ...c, classIndex }, 300_000);
      const facts = await mapFacts(map);
      expect([facts.width, facts.height]).toEqual([224, 224]);
      expect(facts.meanDiffFromInput, 'the map is laid over the input').toBeGreaterThan(2);
      const json = await exportJson(page, explain);
      const stage = inputLevel(c.method) ? 'input' : c.stage;
      expect(json).toMatchObject({
        variant: 'resnet18',
        weights: 'resnet18.safetensors',
        method: c.method,
        stage,
        classIndex,
      });
      const [height, width] = c.method === 'occlusion' ? OCCLUSION_SHAPE : SHAPES[stage]!;
      expect([json.height, json.width]).toEqual([height, width]);
      expect(json.values).toHaveLength(height * width);
      expect(spread(json.values), `${c.method} at ${stage} is not blank`).toBeGreaterThan(0);
      expect(Math.max(...json.values), 'divided by its maximum').toBeCloseTo(1, 5);
      exported.push(json);
      // Compared at once, so a mismatch does not wait for the slow methods after it.
      const theirs = referenceFor(json);
      if (theirs) {
        expect([json.height, json.width]).toEqual([theirs.height, theirs.width]);
        expect(maxAbsDiff(json.values, theirs.values), `max |app - PyTorch|`).toBeLessThan(1e-2);
      }
      if (c.method === 'ig') {
        const ig = explain.getByTestId('explain-completeness');
        await expect(ig).toContainText(/attributions sum to .*; score difference .*% off/i);
        completeness = {
          attributionSum: Number(await ig.getAttribute('data-attribution-sum')),
          scoreDifference: Number(await ig.getAttribute('data-score-difference')),
        };
      }
    });
  }

  await test.step('faithfulness of Grad-CAM at layer4', async () => {
    await explainWith(explain, { method: 'gradcam', stage: 'layer4', classIndex });
    await explain.getByTestId('faithfulness-run').click();
    const faithfulness = explain.getByTestId('faithfulness');
    await expect(faithfulness).toHaveAttribute('data-method', 'gradcam', { timeout: 300_000 });
    for (const kind of ['deletion', 'insertion']) {
      await expect(faithfulness.getByTestId(`faithfulness-${kind}`).locator('svg')).toHaveAttribute(
        'data-points',
        '33',
      );
      const auc = Number(await faithfulness.getAttribute(`data-${kind}-auc`));
      expect(auc).toBeGreaterThanOrEqual(0);
      expect(auc).toBeLessThanOrEqual(1);
    }
  });

  await test.step('against PyTorch', async (step) => {
    step.skip(
      !reference,
      `${path.relative(process.cwd(), EXPLAIN_REFERENCE)} is missing: make it with scripts/make_explain_reference.py`,
    );
    const ref = reference!;
    expect(
      exported.filter((m) => !referenceFor(m)).map((m) => `${m.method} at ${m.stage}`),
      'maps without a PyTorch reference',
    ).toEqual([]);

    const want = ref.integratedGradients;
    const got = completeness!;
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-2 * Math.max(1, Math.abs(b));
    expect(
      close(got.attributionSum, want.attributionSum),
      `IG sum ${got.attributionSum} vs ${want.attributionSum}`,
    ).toBe(true);
    expect(
      close(got.scoreDifference, want.scoreDifference),
      `IG score difference ${got.scoreDifference} vs ${want.scoreDifference}`,
    ).toBe(true);

    const faithfulness = explain.getByTestId('faithfulness');
    const curve = async (kind: string) =>
      ((await faithfulness.getAttribute(`data-${kind}`)) ?? '').split(',').map(Number);
    expect(maxAbsDiff(await curve('deletion'), ref.faithfulness.deletion)).toBeLessThan(1e-2);
    expect(maxAbsDiff(await curve('insertion'), ref.faithfulness.insertion)).toBeLessThan(1e-2);
    expect(
      Math.abs(Number(await faithfulness.getAttribute('data-deletion-auc')) - ref.faithfulness.deletionAuc),
    ).toBeLessThan(1e-2);
    expect(
      Math.abs(Number(await faithfulness.getAttribute('data-insertion-auc')) - ref.faithfulness.insertionAuc),
    ).toBeLessThan(1e-2);
  });
});

test('another class (a top-k button, the search box) redraws the map; a layer sweep draws every stage; the sanity check', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const { panel, explain, predictions } = await inspectWithTorchWeights(page);
  const [first, second] = predictions;

  // Explain's defaults: the top-1 class at the last stage.
  await expect(explain.getByTestId('explain-class')).toHaveAttribute(
    'data-class-index',
    String(first!.classIndex),
  );
  await expect(explain.getByTestId('explain-stage')).toHaveValue('layer4');
  const top1 = await explainWith(explain, {
    method: 'gradcam',
    stage: 'layer4',
    classIndex: first!.classIndex,
  });
  const top1Facts = await mapFacts(top1);
  const top1Values = (await exportJson(page, explain)).values;

  await panel.locator(`[data-testid="cam-class"][data-class-index="${second!.classIndex}"]`).click();
  await expect(explain.getByTestId('explain-class')).toHaveAttribute(
    'data-class-index',
    String(second!.classIndex),
  );
  const secondMap = mapOf(explain, 'gradcam', 'layer4', second!.classIndex);
  await expect(secondMap).toHaveCount(1, { timeout: 120_000 });
  expect((await mapFacts(secondMap)).checksum).not.toBe(top1Facts.checksum);
  expect(maxAbsDiff((await exportJson(page, explain)).values, top1Values)).toBeGreaterThan(0);

  // Any of the 1000 classes, through the search box's suggestions: "label (index)".
  const search = explain.getByTestId('explain-class');
  const option = await explain.locator('datalist option').nth(417).getAttribute('value');
  expect(option).toMatch(/ \(417\)$/);
  await search.fill(option!);
  await expect(search).toHaveAttribute('data-class-index', '417');
  const searched = mapOf(explain, 'gradcam', 'layer4', 417);
  await expect(searched).toHaveCount(1, { timeout: 120_000 });
  expect((await mapFacts(searched)).checksum).not.toBe(top1Facts.checksum);

  // A layer sweep: one map per stage, in order, side by side; exported as one entry per stage.
  await explain.getByTestId('explain-stage').selectOption('all');
  const maps = explain.getByTestId('explain-map');
  await expect(maps).toHaveCount(5);
  await expect(explain.locator('[data-testid="explain-map"][data-state="done"]')).toHaveCount(5, {
    timeout: 120_000,
  });
  expect(await maps.evaluateAll((els) => els.map((el) => el.getAttribute('data-stage')))).toEqual([
    'stem',
    'layer1',
    'layer2',
    'layer3',
    'layer4',
  ]);
  for (const map of await maps.all()) expect((await mapFacts(map)).meanDiffFromInput).toBeGreaterThan(2);
  const sweep = await exportJson<ExportedMap[]>(page, explain);
  expect(sweep.map((m) => [m.stage, m.height, m.width])).toEqual(
    ['stem', 'layer1', 'layer2', 'layer3', 'layer4'].map((s) => [s, ...SHAPES[s]!]),
  );
  const png = await download(page, explain.getByTestId('explain-export-png'));
  expect(png.name).toMatch(/\.png$/);
  expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.bytes.readUInt32BE(16), 'five maps side by side').toBe(5 * 224 + 4 * 8);
  // Faithfulness and the sanity check need one stage.
  await expect(explain.getByTestId('sanity-check')).toBeDisabled();
  await expect(explain.getByTestId('faithfulness-run')).toBeDisabled();

  // On a phone the sweep wraps instead of widening the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1400, height: 1000 });

  // The sanity check: the trained map, then with the weights randomized from the head down.
  await explain.getByTestId('explain-stage').selectOption('layer4');
  await expect(mapOf(explain, 'gradcam', 'layer4', 417)).toHaveCount(1, { timeout: 120_000 });
  await explain.getByTestId('sanity-check').click();
  const sanityMaps = explain.getByTestId('sanity-map');
  await expect(sanityMaps).toHaveCount(7, { timeout: 240_000 });
  expect(await sanityMaps.evaluateAll((els) => els.map((el) => el.getAttribute('data-level')))).toEqual([
    'original',
    'fc',
    'layer4',
    'layer3',
    'layer2',
    'layer1',
    'stem',
  ]);
  await expect(sanityMaps.first()).toHaveAttribute('data-rank-correlation', '1');
  await expect(explain.getByTestId('sanity-verdict')).toHaveText(/model/);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('Cancel stops a running Score-CAM calmly, and the next explanation still works', async ({ page }) => {
  test.setTimeout(300_000);
  const { explain, predictions } = await inspectWithTorchWeights(page);
  const classIndex = predictions[0]!.classIndex;
  await explain.getByTestId('explain-method').selectOption('scorecam');
  await explain.getByTestId('explain-stage').selectOption('layer3');
  await explain.getByTestId('explain-run').click();
  await expect(mapOf(explain, 'scorecam', 'layer3', classIndex, 'running')).toHaveCount(1);
  const progress = explain.getByTestId('explain-progress');
  // Under way: some of its 256 masked passes done.
  await expect
    .poll(async () => Number(await progress.getAttribute('value')), { timeout: 120_000 })
    .toBeGreaterThan(0);

  await explain.getByTestId('explain-cancel').click();

  await expect(explain.getByTestId('explain-cancelled')).toHaveText(/^Cancelled\./);
  await expect(progress).toHaveCount(0);
  await expect(explain.getByTestId('explain-map')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  // Were the engine still on Score-CAM, this would wait for the rest of its passes.
  await explain.getByTestId('explain-method').selectOption('gradcam');
  await expect(mapOf(explain, 'gradcam', 'layer3', classIndex)).toHaveCount(1, { timeout: 60_000 });
  await expect(explain.getByTestId('explain-cancelled')).toHaveCount(0);
});

test("the tensor count returns to the model's own after 20 explanations", async ({ page }) => {
  test.setTimeout(480_000);
  await openApp(page);
  await addImages(page, fixture(PHOTO));
  const predictions = await predictionsOf(page, PHOTO, 'resnet18');
  const beforeExplaining = await numTensors(page);
  await resultFor(page, PHOTO).getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  const explain = panel.getByTestId('explain');
  // The first gradient pass makes each convolution's input-gradient kernels (one per stride phase) and the model
  // keeps them until it is disposed: from then on they are the model's own.
  await explainWith(explain, { method: 'gradcam', stage: 'all', classIndex: predictions[0]!.classIndex });
  await expect.poll(() => numTensors(page)).toBeGreaterThan(0);
  const baseline = await numTensors(page);
  test.info().annotations.push({
    type: 'tensors',
    description: `${beforeExplaining} before explaining, ${baseline} with what explanations keep of the model`,
  });

  // 15 stage methods at every stage, then CAM for five classes: 20 maps, each a different request.
  const runs = [
    ...['gradcam', 'gradcampp', 'layercam'].flatMap((method) =>
      ['stem', 'layer1', 'layer2', 'layer3', 'layer4'].map((stage) => ({
        method,
        stage,
        classIndex: predictions[0]!.classIndex,
      })),
    ),
    ...predictions.slice(0, 5).map((p) => ({ method: 'cam', stage: 'layer4', classIndex: p.classIndex })),
  ];
  expect(runs).toHaveLength(20);
  for (const run of runs) {
    await explainWith(explain, run);
    // Nothing may pile up from one explanation to the next, whatever the method and stage.
    expect(await numTensors(page), `after ${run.method} at ${run.stage}`).toBeLessThanOrEqual(baseline);
  }
  await expect.poll(() => numTensors(page), { timeout: 30_000 }).toBe(baseline);
});
