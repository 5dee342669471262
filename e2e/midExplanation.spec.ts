/**
 * Changing things in the middle of an explanation: a variant switch, a weights load and a backend change while
 * Score-CAM or occlusion runs in Look inside's Explain. The running explanation is stopped and the page says so,
 * the new model (weights, backend) takes over, the same explanation is drawn again for it, and once back on the
 * seeded ResNet18 the engine holds exactly what it held at the start.
 */
import type { Locator, Page } from '@playwright/test';
import path from 'node:path';

import {
  addImages,
  download,
  engineHeld,
  engineMemory,
  expectModelReady,
  expectNothingLeaked,
  fixture,
  holdEngine,
  openApp,
  predictionsOf,
  REFERENCE,
  releaseEngine,
  resultFor,
} from './helpers';
import { expect, test } from './test';

const PHOTO = 'chelsea-256.png';

/** A map of this method, stage and class in the given state (`running`: its placeholder while computing). */
function mapOf(explain: Locator, method: string, stage: string, classIndex: number, state: string) {
  return explain.locator(
    `[data-testid="explain-map"][data-method="${method}"][data-stage="${stage}"]` +
      `[data-class-index="${classIndex}"][data-state="${state}"]`,
  );
}

interface Running {
  start: { tensors: number; bytes: number };
  panel: Locator;
  explain: Locator;
  classIndex: number;
  /** The stage its maps are drawn for (`input` for occlusion). */
  stage: string;
}

/**
 * Opens the photo in Look inside on the seeded `variant` and starts `method` at `stage`, with the engine held at
 * the explanation's first checkpoint (its inputs made, before its first batch of passes): it is certainly
 * running when the test changes something, however fast the machine. Returns with the engine's memory on the
 * seeded ResNet18 from before anything ran.
 */
async function explaining(
  page: Page,
  method: 'scorecam' | 'occlusion',
  // layer1's 64 channels: the engine holds the run at its first checkpoint, so it needs no length of its own,
  // and the map drawn again after the change costs 64 masked passes instead of layer3's 256.
  { variant = 'resnet18', stage = 'layer1' } = {},
): Promise<Running> {
  await openApp(page);
  const start = await engineMemory(page);
  if (variant !== 'resnet18') {
    await page.getByTestId('variant-select').selectOption(variant);
    await expectModelReady(page, variant);
  }
  await addImages(page, fixture(PHOTO));
  const [top1] = await predictionsOf(page, PHOTO, variant);
  await resultFor(page, PHOTO).getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  const explain = panel.getByTestId('explain');
  await explain.getByTestId('explain-method').selectOption(method);
  if (method === 'scorecam') await explain.getByTestId('explain-stage').selectOption(stage);
  await holdEngine(page, ['explain']);
  await explain.getByTestId('explain-run').click();
  await engineHeld(page, 1, 'explain');
  const mapStage = method === 'occlusion' ? 'input' : stage;
  await expect(mapOf(explain, method, mapStage, top1!.classIndex, 'running')).toHaveCount(1);
  await expect(explain.getByTestId('explain-progress')).toBeVisible();
  return { start, panel, explain, classIndex: top1!.classIndex, stage: mapStage };
}

/**
 * Makes `change` while the explanation is held, then lets the explanation go with the engine held before it
 * loads the new model: by then the explanation has been stopped (the engine drops an explanation of a model it
 * is replacing), and what the page says about it stays on screen to be read. Then lets the load go.
 */
async function changeDuring(page: Page, run: Running, change: () => Promise<void>): Promise<void> {
  await holdEngine(page, ['explain', 'load']);
  await change();
  // Set in the same step that sends the engine the new model (a backend change: retires the old engine), so
  // the engine reads that, and the cancel it makes, before the explanation is let go.
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'loading');
  await holdEngine(page, ['load']);
  await engineHeld(page, 1, 'load');
  const { explain } = run;
  // Not the note a user's Cancel leaves: the app asks again by itself once the new model is ready.
  await expect(explain.getByTestId('explain-cancelled')).toHaveText(
    'Stopped while the model changes. It is drawn again once the new model is ready.',
  );
  await expect(explain.getByTestId('explain-progress')).toHaveCount(0);
  await expect(explain.getByTestId('explain-map')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(status).toHaveAttribute('data-state', 'loading');
  await releaseEngine(page);
}

/**
 * Look inside comes back for the model now active, and the explanation asked for is drawn again, for it: the
 * same method, stage and class, exported under the new model's name and weights.
 */
async function expectExplainedAgain(
  page: Page,
  run: Running,
  method: string,
  model: { variant: string; weights: string | RegExp },
): Promise<void> {
  await expectModelReady(page, model.variant);
  await expect(run.panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(mapOf(run.explain, method, run.stage, run.classIndex, 'done')).toHaveCount(1, {
    timeout: 400_000,
  });
  await expect(run.explain.getByTestId('explain-cancelled')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  const exported = JSON.parse((await download(page, 'explain-export-json')).text) as Record<string, unknown>;
  expect(exported).toMatchObject({
    variant: model.variant,
    weights: expect.stringMatching(model.weights),
    method,
    stage: run.stage,
    classIndex: run.classIndex,
  });
}

// From ResNet34 to ResNet18, so that the explanation drawn again is the quicker one.
test('a variant switch during Score-CAM: it is stopped, said so, and drawn again for ResNet18', async ({
  page,
}) => {
  test.setTimeout(900_000);
  const run = await explaining(page, 'scorecam', { variant: 'resnet34' });
  await changeDuring(page, run, async () => {
    await page.getByTestId('variant-select').selectOption('resnet18');
  });
  await expectExplainedAgain(page, run, 'scorecam', {
    variant: 'resnet18',
    weights: /^ResNet18, random init/,
  });
  await expectNothingLeaked(page, run.start);
});

test('a weights load during occlusion: it is stopped, said so, and drawn again with the weights', async ({
  page,
}) => {
  test.setTimeout(900_000);
  const run = await explaining(page, 'occlusion');
  await changeDuring(page, run, () =>
    page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors')),
  );
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file');
  await expectExplainedAgain(page, run, 'occlusion', {
    variant: 'resnet18',
    weights: /^resnet18\.safetensors$/,
  });
  await expectNothingLeaked(page, run.start);
});

test('a backend change during Score-CAM: it is stopped, said so, and drawn again on the new engine', async ({
  page,
}) => {
  test.setTimeout(900_000);
  const run = await explaining(page, 'scorecam');
  await changeDuring(page, run, async () => {
    await page.getByTestId('backend-select').selectOption('wasm');
  });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-requested', 'wasm');
  await expectExplainedAgain(page, run, 'scorecam', {
    variant: 'resnet18',
    weights: /^ResNet18, random init/,
  });
  await expectNothingLeaked(page, run.start);
});
