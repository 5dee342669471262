import { expect, test } from './test';
import type { Page } from '@playwright/test';
import path from 'node:path';

import {
  addImages,
  engineHeld,
  expectModelReady,
  fixture,
  holdEngine,
  openApp,
  photoPaths,
  predictionsOf,
  releaseEngine,
  resultFor,
} from './helpers';

const REFERENCE = path.resolve('test-fixtures', 'reference');
const LONG_TASK_LIMIT_MS = 200;

declare global {
  interface Window {
    __longTasks: number[];
    __liveObjectUrls: Set<string>;
  }
}

/** Records main-thread long tasks and live object URLs from the first script on. */
async function instrument(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
    window.__liveObjectUrls = new Set();
    const create = URL.createObjectURL.bind(URL);
    const revoke = URL.revokeObjectURL.bind(URL);
    URL.createObjectURL = (obj: Blob | MediaSource) => {
      const url = create(obj);
      window.__liveObjectUrls.add(url);
      return url;
    };
    URL.revokeObjectURL = (url: string) => {
      window.__liveObjectUrls.delete(url);
      revoke(url);
    };
  });
}

/** JS heap in use after a full garbage collection (through the DevTools protocol). */
async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

async function engineMemory(page: Page): Promise<{ tensors: number; bytes: number }> {
  const backend = page.getByTestId('backend');
  return {
    tensors: Number(await backend.getAttribute('data-num-tensors')),
    bytes: Number(await backend.getAttribute('data-num-bytes')),
  };
}

async function statusCounts(page: Page): Promise<Record<string, number>> {
  return page.getByTestId('result').evaluateAll((cards) => {
    const counts: Record<string, number> = {};
    for (const card of cards) {
      const key =
        card.getAttribute('data-status') === 'error'
          ? `error:${card.querySelector('[data-error-code]')?.getAttribute('data-error-code')}`
          : card.getAttribute('data-status')!;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  });
}

test('200 images at once: bounded batches, a progress bar, all classified, no long task, memory back to the model', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await instrument(page);
  await openApp(page);
  const baseline = await engineMemory(page);
  const urlsBefore = await page.evaluate(() => window.__liveObjectUrls.size);
  const heapBefore = await heapAfterGc(page);
  await page.evaluate(() => (window.__longTasks = []));

  // Held with its first batch, the engine shows what is with it at once: one batch of four, never more.
  await holdEngine(page);
  await addImages(page, photoPaths(200));
  const progress = page.getByTestId('queue-progress');
  await expect(progress).toHaveAttribute('data-total', '200');
  await expect(page.getByTestId('queue-count')).toContainText('of 200 classified');
  await engineHeld(page, 1);
  await expect.poll(() => statusCounts(page)).toEqual({ classifying: 4, queued: 196 });
  await releaseEngine(page);

  await expect(progress).toHaveCount(0, { timeout: 600_000 });
  expect(await statusCounts(page)).toEqual({ done: 200 });
  await expect.poll(() => engineMemory(page)).toEqual(baseline);

  const longTasks = await page.evaluate(() => window.__longTasks);
  expect(
    longTasks.filter((d) => d > LONG_TASK_LIMIT_MS),
    `main-thread tasks over ${LONG_TASK_LIMIT_MS} ms (all: ${longTasks.map(Math.round).join(', ')})`,
  ).toEqual([]);

  const heapWith200 = await heapAfterGc(page);
  await page.getByTestId('clear-all').click();
  await expect(page.getByTestId('result')).toHaveCount(0);
  expect(await page.evaluate(() => window.__liveObjectUrls.size), 'every thumbnail URL revoked').toBe(
    urlsBefore,
  );
  const heapAfter = await heapAfterGc(page);
  console.log(
    `heap: ${(heapBefore / 2 ** 20).toFixed(1)} MiB before, ${(heapWith200 / 2 ** 20).toFixed(1)} MiB with 200 results, ` +
      `${(heapAfter / 2 ** 20).toFixed(1)} MiB after clear-all; long tasks: ${longTasks.length}, max ${Math.round(Math.max(0, ...longTasks))} ms`,
  );
  expect(heapWith200 - heapBefore, '200 results hold a few MB, not images').toBeLessThan(40 * 2 ** 20);
  expect(heapAfter - heapBefore, 'clear-all gives the memory back').toBeLessThan(8 * 2 ** 20);

  // The app still works after all that.
  await addImages(page, fixture('coffee.jpg'));
  expect(await predictionsOf(page, 'coffee.jpg', 'resnet18')).toHaveLength(5);
});

test('cancel stops the queue: waiting images are marked cancelled, the rest finish, and the next drop works', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await openApp(page);
  // Cancel lands while the engine holds the first batch of four, by arrangement rather than by timing.
  await holdEngine(page);
  await addImages(page, photoPaths(200));
  await engineHeld(page, 1);
  await page.getByTestId('queue-cancel').click();
  await releaseEngine(page);
  await expect(page.getByTestId('queue-progress')).toHaveCount(0, { timeout: 60_000 });
  const counts = await statusCounts(page);
  // The batch with the engine when Cancel came finishes; everything still waiting is cancelled.
  expect(counts).toEqual({ done: 4, 'error:cancelled': 196 });
  await expect(
    page.locator('[data-testid="result"][data-status="error"] [data-testid="error"]').first(),
  ).toContainText('Cancelled');

  // A model switch does not bring cancelled images back; a new drop is classified.
  await addImages(page, fixture('rocket.jpg'));
  expect(await predictionsOf(page, 'rocket.jpg', 'resnet18')).toHaveLength(5);
  await expect(resultFor(page, 'rocket.jpg')).toHaveAttribute('data-status', 'done');
});

test("tensors and bytes return to the model's own after 20 variant switches and 10 weight loads", async ({
  page,
}) => {
  test.setTimeout(900_000);
  await openApp(page);
  const resnet18 = await engineMemory(page);
  for (let i = 0; i < 10; i++) {
    await page.getByTestId('variant-select').selectOption('resnet34');
    await expectModelReady(page, 'resnet34');
    await page.getByTestId('variant-select').selectOption('resnet18');
    await expectModelReady(page, 'resnet18');
  }
  await expect.poll(() => engineMemory(page)).toEqual(resnet18);

  const loadWeights = async () => {
    await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
    await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file', {
      timeout: 120_000,
    });
    await expectModelReady(page, 'resnet18');
  };
  await loadWeights();
  const loaded = await engineMemory(page);
  for (let i = 1; i < 10; i++) {
    // Each load replaces the same model by an equal one: a fresh build every time, the old one freed.
    const before = await page.getByTestId('model-status').getAttribute('data-build-ms');
    await loadWeights();
    await expect(page.getByTestId('model-status')).not.toHaveAttribute('data-build-ms', before ?? '');
  }
  await expect.poll(() => engineMemory(page)).toEqual(loaded);
});
