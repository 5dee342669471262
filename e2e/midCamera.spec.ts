/**
 * Changing things in the middle of a camera stream: a variant switch, a weights load and a backend change while
 * Chromium's fake camera plays a photo. The page says the model is loading, the stream stays open, and once the
 * new model (weights, backend) is ready the live answers come from it, frame after frame; once back on the
 * seeded ResNet18 the engine holds exactly what it held at the start.
 */
import type { Page } from '@playwright/test';
import path from 'node:path';

import {
  cameraFrames,
  fakeCameraLaunchOptions,
  fakeCameraVideo,
  framesReach,
  makeFakeCameraVideo,
  startCamera,
} from './fakeCamera';
import {
  addImages,
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
} from './helpers';
import { expect, test } from './test';

const VIDEO = fakeCameraVideo('chelsea-mid');
const PHOTO = 'chelsea.jpg';

test.use({ launchOptions: fakeCameraLaunchOptions(VIDEO) });
test.beforeAll(() => makeFakeCameraVideo(VIDEO));

/** The live top-k's class indices, best first. */
async function liveClasses(page: Page): Promise<number[]> {
  return page
    .getByTestId('camera-prediction')
    .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-class-index'))));
}

/**
 * The seeded ResNet18 with the camera on, and the same photo dropped as a file (so each model's answer for it
 * is known); returns the engine's memory from before the camera and the photo.
 */
async function cameraOn(page: Page): Promise<{ tensors: number; bytes: number }> {
  await openApp(page);
  const start = await engineMemory(page);
  await addImages(page, fixture(PHOTO));
  await predictionsOf(page, PHOTO, 'resnet18');
  await startCamera(page);
  await framesReach(page, 3);
  await expect(page.getByTestId('camera-fps')).toHaveAttribute('data-variant', 'resnet18');
  return start;
}

/**
 * Makes `change` while frames stream, with the engine held before it loads the new model, so the page's state
 * mid-change stays to be read: the model is said to be loading (`loading`: the words in the status), the
 * camera stays open with its last answer, marked as the old model's, and nothing is an error. Then lets the load
 * go, and the mark goes once the new model is ready.
 */
async function changeDuring(page: Page, change: () => Promise<void>, loading: RegExp): Promise<number> {
  await holdEngine(page, ['load']);
  await change();
  await engineHeld(page, 1, 'load');
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'loading');
  await expect(status).toContainText(loading);
  await expect(page.getByTestId('camera-video')).toBeVisible();
  await expect(page.getByTestId('camera-stop')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('camera-stale')).toContainText('ResNet18’s last answer');
  const framesAtChange = await cameraFrames(page);
  await releaseEngine(page);
  await expect(page.getByTestId('camera-stale')).toHaveCount(0);
  return framesAtChange;
}

/**
 * The stream goes on with the model now active: its answers say so, keep coming (10 more frames), and name the
 * class the same model gives the photo dropped as a file (the card is classified again after the change).
 */
async function expectLiveFrom(page: Page, variant: string, framesAtChange: number): Promise<void> {
  await expectModelReady(page, variant);
  const fps = page.getByTestId('camera-fps');
  await expect(fps).toHaveAttribute('data-variant', variant);
  await framesReach(page, framesAtChange + 10);
  await expect(fps).toHaveAttribute('data-variant', variant);
  expect(Number(await fps.getAttribute('data-fps'))).toBeGreaterThan(0);
  const [fromFile] = await predictionsOf(page, PHOTO, variant);
  await expect.poll(async () => (await liveClasses(page))[0]).toBe(fromFile!.classIndex);
  await expect(page.getByRole('alert')).toHaveCount(0);
}

/** The camera off, then back to the seeded ResNet18: the engine holds what it held before it all. */
async function stopAndExpectNothingLeaked(page: Page, start: { tensors: number; bytes: number }) {
  await page.getByTestId('camera-stop').click();
  await expect(page.getByTestId('camera-video')).toHaveCount(0);
  await expectNothingLeaked(page, start);
}

test('a variant switch during the camera stream: the live answers come from ResNet34 after it', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const start = await cameraOn(page);
  const framesAtChange = await changeDuring(
    page,
    async () => {
      await page.getByTestId('variant-select').selectOption('resnet34');
    },
    /^ResNet34: /,
  );
  await expectLiveFrom(page, 'resnet34', framesAtChange);
  await stopAndExpectNothingLeaked(page, start);
});

test('a weights load during the camera stream: the live answers come from the weights after it', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const start = await cameraOn(page);
  const framesAtChange = await changeDuring(
    page,
    () => page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet34.pth')),
    // The depth is known only once the engine has read the file: until then the status names the model before.
    /^ResNet18: /,
  );
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file');
  await expect(page.getByTestId('weights-note')).toContainText(
    'so the model switched from ResNet18 to ResNet34',
  );
  await expectLiveFrom(page, 'resnet34', framesAtChange);
  await stopAndExpectNothingLeaked(page, start);
});

test('a backend change during the camera stream, heat map on: the new engine answers the frames', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const start = await cameraOn(page);
  // The heat map's path too (a full inspection per frame) must survive the engine being replaced.
  await page.getByTestId('camera-cam-toggle').check();
  await expect(page.getByTestId('camera-cam')).toBeVisible();
  const framesAtChange = await changeDuring(
    page,
    async () => {
      await page.getByTestId('backend-select').selectOption('wasm');
    },
    /^ResNet18: /,
  );
  await expect(page.getByTestId('backend')).toHaveAttribute('data-requested', 'wasm');
  await expectLiveFrom(page, 'resnet18', framesAtChange);
  await expect(page.getByTestId('camera-cam')).toBeVisible();
  await stopAndExpectNothingLeaked(page, start);
});
