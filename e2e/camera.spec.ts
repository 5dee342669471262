/**
 * The live camera, end to end: Chromium's fake camera plays a short video made from a committed photo, so the
 * live answer can be checked against the same photo dropped as a file, and a long run against leaks.
 */
import type { Page } from '@playwright/test';

import {
  fakeCameraLaunchOptions,
  fakeCameraVideo,
  framesReach,
  makeFakeCameraVideo,
  startCamera,
} from './fakeCamera';
import { addImages, fixture, numTensors, openApp, predictionsOf, resultFor } from './helpers';
import { expect, test } from './test';

const VIDEO = fakeCameraVideo('chelsea');

// A browser of its own (the fake camera is a launch flag). A refusal is played by replacing getUserMedia in
// the page (see the error tests).
test.use({
  launchOptions: fakeCameraLaunchOptions(VIDEO, [
    // A heap figure worth comparing needs a collection first, and more than the default rounded numbers.
    '--js-flags=--expose-gc',
    '--enable-precise-memory-info',
  ]),
});

test.beforeAll(() => makeFakeCameraVideo(VIDEO));

interface LiveFigures {
  frames: number;
  fps: number;
  frameMs: number;
}

async function liveFigures(page: Page): Promise<LiveFigures> {
  const fps = page.getByTestId('camera-fps');
  return {
    frames: Number(await fps.getAttribute('data-frames')),
    fps: Number(await fps.getAttribute('data-fps')),
    frameMs: Number(await fps.getAttribute('data-frame-ms')),
  };
}

async function liveTop1(page: Page): Promise<number> {
  return Number(await page.getByTestId('camera-prediction').first().getAttribute('data-class-index'));
}

/** The page's JS heap after a full collection. */
async function heapAfterGc(page: Page): Promise<number> {
  return page.evaluate(() => {
    (globalThis as unknown as { gc: () => void }).gc();
    return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
  });
}

test('ResNet50: the live top-1 is the top-1 of the same photo dropped as a file, with frames per second', async ({
  page,
}) => {
  await openApp(page, '?model=resnet50');
  await addImages(page, fixture('chelsea.jpg'));
  const [fromFile] = await predictionsOf(page, 'chelsea.jpg', 'resnet50');

  await startCamera(page);
  await framesReach(page, 5);
  expect(await liveTop1(page)).toBe(fromFile!.classIndex);
  await expect(page.getByTestId('camera-prediction').first()).toHaveAttribute('data-label', fromFile!.label);
  const figures = await liveFigures(page);
  expect(figures.fps).toBeGreaterThan(0);
  console.log(
    `camera ResNet50: ${figures.fps.toFixed(2)} frames/s, ${figures.frameMs.toFixed(1)} ms per frame ` +
      `(top-1 ${fromFile!.label}, ${figures.frames} frames)`,
  );
  await page.getByTestId('camera-stop').click();
});

test('ResNet18 over 1,000 frames: tensors stay flat and the heap does not grow; the map can be on', async ({
  page,
}) => {
  test.setTimeout(480_000);
  // A smaller window: without a GPU each answered frame is composited in software on the cores the model runs on,
  // at a cost that grows with the window (docs/performance.md, "Progress at a reader's pace"). What this test
  // checks, memory over many frames, does not depend on the window.
  await page.setViewportSize({ width: 800, height: 600 });
  await openApp(page);
  await startCamera(page);
  // Part of the run draws the class activation map too: both paths must free what they make.
  await page.getByTestId('camera-cam-toggle').check();
  await expect(page.getByTestId('camera-cam')).toBeVisible();
  await framesReach(page, 20);
  const start = await liveFigures(page);
  const tensorsBefore = await numTensors(page);
  const heapBefore = await heapAfterGc(page);

  await framesReach(page, start.frames + 200, 240_000);
  await page.getByTestId('camera-cam-toggle').uncheck();
  await expect(page.getByTestId('camera-cam')).toHaveCount(0);
  await framesReach(page, start.frames + 220);
  const plain = await liveFigures(page);
  await framesReach(page, start.frames + 1000, 400_000);
  const end = await liveFigures(page);
  const tensorsAfter = await numTensors(page);
  const heapAfter = await heapAfterGc(page);

  console.log(
    `camera ResNet18: ${plain.fps.toFixed(2)} frames/s, ${plain.frameMs.toFixed(1)} ms per frame ` +
      `(${end.fps.toFixed(2)} frames/s at the end); over ${end.frames - start.frames} frames tensors ` +
      `${tensorsBefore} -> ${tensorsAfter}, page heap ${(heapBefore / 1e6).toFixed(2)} MB -> ` +
      `${(heapAfter / 1e6).toFixed(2)} MB`,
  );
  expect(tensorsAfter).toBe(tensorsBefore);
  // A collected heap still moves by what the last frames left in flight: a leak per frame would be far more.
  expect(heapAfter - heapBefore).toBeLessThan(2_000_000);
  await page.getByTestId('camera-stop').click();
});

/** Keeps every stream getUserMedia hands the page, to look at its tracks from the test. */
async function keepStreams(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const streams: MediaStream[] = [];
    (window as unknown as { cameraStreams: MediaStream[] }).cameraStreams = streams;
    const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await open(constraints);
      streams.push(stream);
      return stream;
    };
  });
}

function trackStates(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as { cameraStreams: MediaStream[] }).cameraStreams.flatMap((s) =>
      s.getTracks().map((t) => t.readyState),
    ),
  );
}

test('the picture is the frame answered; stop ends the camera track; a snapshot becomes a card that classifies', async ({
  page,
}) => {
  await keepStreams(page);
  await openApp(page);
  await startCamera(page);
  await framesReach(page, 2);

  // Chromium hands out the track's frames: the panel shows each answered frame (the video's 450x300, the photo's
  // colours), not a playing <video>.
  const picture = page.getByTestId('camera-video');
  await expect(picture).toHaveAttribute('data-preview', 'picture');
  const shown = await picture.evaluate((el) => {
    const canvas = el as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < data.length; i += 4) {
      const grey = (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
      sum += grey;
      sumSq += grey * grey;
    }
    const n = data.length / 4;
    return {
      tag: el.tagName,
      width: canvas.width,
      height: canvas.height,
      mean: sum / n,
      sd: Math.sqrt(sumSq / n - (sum / n) ** 2),
    };
  });
  expect(shown).toMatchObject({ tag: 'CANVAS', width: 450, height: 300 });
  // A blank or black canvas has no spread; the cat photo has plenty.
  expect(shown.mean).toBeGreaterThan(40);
  expect(shown.sd).toBeGreaterThan(20);

  await page.getByTestId('camera-snapshot').click();
  const card = page.locator('[data-testid="result"][data-file-name^="camera-"]');
  await expect(card).toHaveCount(1);
  const name = await card.getAttribute('data-file-name');
  expect(name).toMatch(/^camera-\d{4}-\d{2}-\d{2}-\d{6}\.jpg$/);
  const predictions = await predictionsOf(page, name!);
  expect(predictions.length).toBeGreaterThan(0);

  expect(await trackStates(page)).toEqual(['live']);
  await page.getByTestId('camera-stop').click();
  await expect(page.getByTestId('camera-fps')).toHaveCount(0);
  await expect(page.getByTestId('camera-video')).toHaveCount(0);
  expect(await trackStates(page)).toEqual(['ended']);
  await expect(page.getByTestId('camera-start')).toBeVisible();
});

test('where the browser has no track processor, the <video> plays and its frames are answered', async ({
  page,
}) => {
  await page.addInitScript(() => {
    delete (globalThis as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor;
  });
  await openApp(page);
  await startCamera(page);
  await framesReach(page, 3);
  const video = page.getByTestId('camera-video');
  expect(await video.evaluate((el) => el.tagName)).toBe('VIDEO');
  expect(await video.evaluate((el) => (el as HTMLVideoElement).videoWidth)).toBe(450);
  await page.getByTestId('camera-snapshot').click();
  const card = page.locator('[data-testid="result"][data-file-name^="camera-"]');
  await expect(card).toHaveCount(1);
  expect((await predictionsOf(page, (await card.getAttribute('data-file-name'))!)).length).toBeGreaterThan(0);
  await page.getByTestId('camera-stop').click();
  await expect(video).toHaveCount(0);
});

for (const [errorName, code] of [
  ['NotAllowedError', 'denied'],
  ['NotFoundError', 'no-camera'],
] as const) {
  test(`${errorName} shows "${code}" in the camera panel, and the rest of the page keeps working`, async ({
    page,
  }) => {
    // The fake UI flag grants every prompt, and the fake device is always there: the refusal is played by
    // getUserMedia itself, as the browser would answer.
    await page.addInitScript((name) => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Refused by the test.', name));
    }, errorName);
    await openApp(page);
    await page.getByTestId('camera-start').click();
    const error = page.getByRole('region', { name: 'Camera' }).getByTestId('error');
    await expect(error).toHaveAttribute('data-error-code', code);
    await expect(error).not.toBeEmpty();
    await expect(page.getByTestId('camera-video')).toHaveCount(0);

    await addImages(page, fixture('chelsea.jpg'));
    await expect(resultFor(page, 'chelsea.jpg')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    expect((await predictionsOf(page, 'chelsea.jpg')).length).toBeGreaterThan(0);
  });
}
