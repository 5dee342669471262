import { expect } from '@playwright/test';
import type { Locator, Page, Worker } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { EngineTestHooks } from '../src/client/testHooks';
import { MODELS_DB } from '../src/shared/storageNames';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const fixture = (name: string) => path.join(FIXTURES, name);
/** Weight files made by PyTorch (scripts/), with their reference outputs. */
export const REFERENCE = path.resolve(FIXTURES, '..', '..', 'test-fixtures', 'reference');

/**
 * Opens the app and waits until the model is built and warmed up. ResNet18 unless the query says otherwise:
 * a plain visit opens on ResNet50 when it is installed (see resnet50.spec.ts).
 */
export async function openApp(page: Page, query = '?model=resnet18'): Promise<void> {
  await page.goto(`/${query}`);
  await expectModelReady(page);
}

export async function expectModelReady(page: Page, variant?: string): Promise<void> {
  const status = page.getByTestId('model-status');
  await expectAttribute(page, status, '[data-testid="model-status"]', 'data-state', 'ready', 180_000);
  if (variant) await expect(status).toHaveAttribute('data-model', variant);
}

/**
 * `expect(locator).toHaveAttribute(name, value)`, looking every 50 ms. A locator assertion backs off to looking
 * every 500 ms, so each long wait (a model ready, an image classified) ends a quarter of a second late on average,
 * and the suite's hundreds of such waits add up to minutes of an idle machine (docs/testing.md, "Time").
 * `selector` is the locator's CSS; where the quick look fails (a timeout, a navigation mid-wait), the assertion
 * itself waits out the rest of the time and says what was wrong.
 */
async function expectAttribute(
  page: Page,
  locator: Locator,
  selector: string,
  name: string,
  value: string,
  timeout: number,
): Promise<void> {
  const started = Date.now();
  const reached = await page
    .waitForFunction(
      ([s, n, v]) => {
        // One match only, as a locator assertion is strict: with more, the assertion below says so.
        const matches = document.querySelectorAll(s!);
        return matches.length === 1 && matches[0]!.getAttribute(n!) === v;
      },
      [selector, name, value],
      { polling: 50, timeout },
    )
    .then(
      () => true,
      () => false,
    );
  if (!reached) {
    const left = Math.max(1_000, timeout - (Date.now() - started));
    await expect(locator).toHaveAttribute(name, value, { timeout: left });
  }
}

export async function addImages(page: Page, files: Parameters<Locator['setInputFiles']>[0]): Promise<void> {
  await page.getByTestId('image-input').setInputFiles(files);
}

const resultSelector = (fileName: string) => `[data-testid="result"][data-file-name="${fileName}"]`;

export function resultFor(page: Page, fileName: string): Locator {
  return page.locator(resultSelector(fileName));
}

/** Waits until the card is classified (by `variant`, if given) and returns its predictions. */
export async function predictionsOf(
  page: Page,
  fileName: string,
  variant?: string,
): Promise<{ classIndex: number; label: string; probability: number }[]> {
  const card = resultFor(page, fileName);
  await expectAttribute(page, card, resultSelector(fileName), 'data-status', 'done', 120_000);
  if (variant) await expect(card).toHaveAttribute('data-variant', variant, { timeout: 120_000 });
  return card.getByTestId('prediction').evaluateAll((els) =>
    els.map((el) => ({
      classIndex: Number(el.getAttribute('data-class-index')),
      label: el.getAttribute('data-label') ?? '',
      probability: Number(el.getAttribute('data-probability')),
    })),
  );
}

export async function numTensors(page: Page): Promise<number> {
  return Number(await page.getByTestId('backend').getAttribute('data-num-tensors'));
}

/**
 * Waits until this browser holds the checksummed copy of ResNet50 that a visit stores once its model is ready
 * (src/model/bundledResNet50.ts): the next visit loads from it.
 */
export async function expectResNet50Stored(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(
          (name) =>
            new Promise<number>((resolve, reject) => {
              const open = indexedDB.open(name);
              open.onerror = () => reject(open.error);
              open.onupgradeneeded = () => open.result.createObjectStore('models', { keyPath: 'key' });
              open.onsuccess = () => {
                const count = open.result.transaction('models').objectStore('models').count();
                count.onsuccess = () => {
                  open.result.close();
                  resolve(count.result);
                };
                count.onerror = () => reject(count.error);
              };
            }),
          MODELS_DB,
        ),
      { timeout: 60_000, message: 'a stored copy of ResNet50' },
    )
    .toBe(1);
}

/** The engine's live tensor count and bytes, as the backend badge shows them. */
export async function engineMemory(page: Page): Promise<{ tensors: number; bytes: number }> {
  const backend = page.getByTestId('backend');
  return {
    tensors: Number(await backend.getAttribute('data-num-tensors')),
    bytes: Number(await backend.getAttribute('data-num-bytes')),
  };
}

/**
 * Back to the seeded ResNet18 on the automatic backend, by way of ResNet34 (so nothing of the model before is
 * still active): the engine's memory must be what it was at the start (`engineMemory` after `openApp`).
 */
export async function expectNothingLeaked(
  page: Page,
  start: { tensors: number; bytes: number },
): Promise<void> {
  await page.getByTestId('clear-all').click();
  if ((await page.getByTestId('backend-select').inputValue()) !== 'auto') {
    await page.getByTestId('backend-select').selectOption('auto');
  }
  await page.getByTestId('variant-select').selectOption('resnet34');
  await expectModelReady(page, 'resnet34');
  await page.getByTestId('variant-select').selectOption('resnet18');
  await expectModelReady(page, 'resnet18');
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'random');
  await expect.poll(() => engineMemory(page)).toEqual(start);
}

const PHOTOS = ['chelsea.jpg', 'coffee.jpg', 'astronaut.jpg', 'rocket.jpg', 'chelsea-256.png'];

/** `count` real photos as in-memory files with distinct names (`0-chelsea.jpg`, `1-coffee.jpg`, ...). */
/**
 * `count` real photos as files on disk (`0-chelsea.jpg`, ...) in a fresh temporary folder, for dropping
 * many at once: the browser reads them from disk, as from a user's drop, instead of receiving every byte
 * through the test driver (which would itself block the page).
 */
export function photoPaths(count: number): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'photos-'));
  return photoFiles(count).map((f) => {
    const file = path.join(dir, f.name);
    writeFileSync(file, f.buffer);
    return file;
  });
}

export function photoFiles(count: number): { name: string; mimeType: string; buffer: Buffer }[] {
  return Array.from({ length: count }, (_, i) => {
    const name = PHOTOS[i % PHOTOS.length]!;
    return {
      name: `${i}-${name}`,
      mimeType: name.endsWith('png') ? 'image/png' : 'image/jpeg',
      buffer: readFileSync(fixture(name)),
    };
  });
}

/**
 * Holding the engine (the e2e build's `window.engineTestHooks`, src/client/testHooks.ts): from `holdEngine` on,
 * every engine pauses before each forward pass until `releaseEngine`. A test that must catch the engine
 * mid-operation waits for `engineHeld` instead of hoping for timing: once held, it stays held.
 */
type HoldPoint = 'forward' | 'load' | 'explain' | 'teach';
type WithHooks = Window & { engineTestHooks: EngineTestHooks };

/**
 * `forward`: before each classification's or inspection's forward pass; `load`: before loading a model;
 * `explain`: at each of an explanation's checkpoints (between its batches, before it looks for a cancel);
 * `teach`: between any two steps of training a head, before it looks for a cancel.
 */
export async function holdEngine(page: Page, points: HoldPoint[] = ['forward']): Promise<void> {
  await page.evaluate((at) => (window as WithHooks).engineTestHooks.hold(at), points);
}

export async function releaseEngine(page: Page): Promise<void> {
  await page.evaluate(() => (window as WithHooks).engineTestHooks.release());
}

/** Waits until engines have paused at `point` `times` times in all (the last one is paused there now). */
export async function engineHeld(page: Page, times: number, point: HoldPoint = 'forward'): Promise<void> {
  await expect
    .poll(() => page.evaluate((at) => (window as WithHooks).engineTestHooks.heldCount(at), point), {
      timeout: 180_000,
    })
    .toBe(times);
}

/** The inference worker (not TF.js's WASM thread workers, which are blob: URLs). */
export async function inferenceWorker(page: Page, not?: Worker): Promise<Worker> {
  await expect
    .poll(() => page.workers().filter((w) => w.url().includes('inference.worker') && w !== not).length, {
      timeout: 60_000,
    })
    .toBeGreaterThan(0);
  return page.workers().find((w) => w.url().includes('inference.worker') && w !== not)!;
}

/** What a crash does, from inside: the worker's context is destroyed without a word to the page. */
export async function killWorker(worker: Worker): Promise<void> {
  await worker.evaluate(() => self.close()).catch(() => undefined); // the context may vanish mid-call
}

/** Clicks an export button and returns the file the page saved: its suggested name and its text. */
export async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, 'utf8') };
}
