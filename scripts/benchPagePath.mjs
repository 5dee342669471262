// The bench's measurements of the real app page (scripts/bench.mjs): a dropped photo to its top-k on screen,
// the live camera's frames per second, and the fake camera's video. Times are taken in the page
// (performance.now()), so the driver's own round trips do not count.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Median of `xs` (the upper middle for an even count, like the bench page's). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Nearest-rank 95th percentile. */
export function p95(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
}

const READY = '[data-testid="model-status"][data-state="ready"]';

/**
 * Drops `photo` on `/?model=VARIANT` `drops` times, one at a time (each after the last card is done and the page
 * has idled ~200 ms), each under a new file name. In the page, a capture-phase 'change' listener on the document
 * marks the drop and a MutationObserver marks the moment that file's card is done with its predictions; the
 * card's data-inference-ms (the engine's forward pass) and data-total-ms (decode + forward) are read at that
 * moment. The first `warmup` drops are not counted.
 */
export async function pagePath(browser, base, variant, { photo, drops, warmup = 2, contextOptions = {} }) {
  const buffer = readFileSync(photo);
  const ext = path.extname(photo);
  const mimeType = ext === '.png' ? 'image/png' : 'image/jpeg';
  const context = await browser.newContext(contextOptions);
  await context.addInitScript(() => {
    const marks = {};
    window.__pagePathMarks = marks;
    document.addEventListener(
      'change',
      (event) => {
        const input = event.target;
        if (!(input instanceof HTMLInputElement) || input.dataset.testid !== 'image-input') return;
        const name = input.files?.[0]?.name;
        if (name) marks[name] = { droppedAt: performance.now() };
      },
      true,
    );
    new MutationObserver(() => {
      for (const [name, mark] of Object.entries(marks)) {
        if (mark.status) continue;
        const card = document.querySelector(`[data-testid="result"][data-file-name="${CSS.escape(name)}"]`);
        if (!card) continue;
        const status = card.getAttribute('data-status');
        if (status === 'done' && card.querySelector('[data-testid="prediction"]')) {
          mark.shownAt = performance.now();
          mark.status = 'done';
          mark.inferenceMs = Number(card.getAttribute('data-inference-ms'));
          mark.totalMs = Number(card.getAttribute('data-total-ms'));
        } else if (status === 'error') {
          mark.status = 'error';
          mark.error = card.querySelector('[data-testid="error"]')?.textContent ?? 'error';
        }
      }
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  const page = await context.newPage();
  try {
    await page.goto(`${base}/?model=${variant}`);
    await page.waitForSelector(READY, { timeout: 600_000 });
    const backend = await page.getByTestId('backend').getAttribute('data-backend');
    const all = [];
    for (let i = 0; i < drops; i++) {
      const name = `chelsea-${String(i + 1).padStart(3, '0')}${ext}`;
      await page.getByTestId('image-input').setInputFiles({ name, mimeType, buffer });
      await page.waitForFunction((n) => window.__pagePathMarks[n]?.status, name, {
        timeout: 600_000,
        polling: 20,
      });
      const mark = await page.evaluate((n) => window.__pagePathMarks[n], name);
      if (mark.status !== 'done') return { variant, backend, error: `${name}: ${mark.error}` };
      all.push({
        name,
        dropToResultMs: mark.shownAt - mark.droppedAt,
        inferenceMs: mark.inferenceMs,
        totalMs: mark.totalMs,
      });
      await page.waitForTimeout(200);
    }
    const timed = all.slice(warmup);
    if (timed.length === 0) return { variant, backend, error: `no drops past the ${warmup} warm-up ones` };
    const dropMedian = median(timed.map((d) => d.dropToResultMs));
    const inferenceMedian = median(timed.map((d) => d.inferenceMs));
    return {
      variant,
      backend,
      warmup,
      drops: all,
      dropToResult: { medianMs: dropMedian, p95Ms: p95(timed.map((d) => d.dropToResultMs)) },
      inference: { medianMs: inferenceMedian },
      engineTotal: { medianMs: median(timed.map((d) => d.totalMs)) },
      overheadMs: dropMedian - inferenceMedian,
    };
  } finally {
    await context.close();
  }
}

/**
 * Chromium's fake camera video, made as e2e/fakeCamera.ts makes it (the photo at its own aspect, 451x300 rounded
 * to even sides as yuv420p needs, looped by Chromium) but at 30 frames per second, as webcams deliver: at the
 * tests' 10 the video itself would cap the rate measured.
 */
export function makeCameraVideo(photo, video) {
  mkdirSync(path.dirname(video), { recursive: true });
  execFileSync('ffmpeg', [
    ...['-y', '-loglevel', 'error', '-loop', '1', '-i', photo],
    ...['-t', '1', '-r', '30', '-vf', 'scale=450:300,format=yuv420p', '-f', 'yuv4mpegpipe', video],
  ]);
}

/** The launch flags that play `video` through the fake camera, granting the permission prompt. */
export function fakeCameraArgs(video) {
  return [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ];
}

/**
 * The live camera on `/?model=VARIANT` (in a browser launched with `fakeCameraArgs`): started once the model is
 * ready, run `seconds` after its first answer, then the panel's own figures (frames per second over its last
 * frames, mean ms from grab to answer, the engine's ms for the last frame) and the mean rate over the whole run,
 * counted from data-frames in the page.
 */
export async function cameraRate(browser, base, variant, seconds) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const read = () =>
    page.evaluate(() => {
      const el = document.querySelector('[data-testid="camera-fps"]');
      const n = (name) => Number(el?.getAttribute(name) ?? NaN);
      return {
        at: performance.now(),
        frames: el ? n('data-frames') : 0,
        fps: n('data-fps'),
        frameMs: n('data-frame-ms'),
        engineMs: n('data-engine-ms'),
      };
    });
  try {
    await page.goto(`${base}/?model=${variant}`);
    await page.waitForSelector(READY, { timeout: 600_000 });
    const backend = await page.getByTestId('backend').getAttribute('data-backend');
    await page.getByTestId('camera-start').click();
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="camera-fps"]')?.getAttribute('data-frames') ?? 0) >= 1,
      null,
      { timeout: 600_000, polling: 20 },
    );
    const start = await read();
    await page.waitForTimeout(seconds * 1000);
    const end = await read();
    await page.getByTestId('camera-stop').click();
    const frames = end.frames - start.frames;
    return {
      variant,
      backend,
      seconds: (end.at - start.at) / 1000,
      fps: end.fps,
      frameMs: end.frameMs,
      engineMs: end.engineMs,
      frames: end.frames,
      meanFps: (frames * 1000) / (end.at - start.at),
    };
  } catch (err) {
    return { variant, error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  } finally {
    await context.close();
  }
}
