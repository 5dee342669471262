/**
 * WebGPU for real: Chromium's SwiftShader WebGPU adapter (a launch flag; the page is served from 127.0.0.1, a
 * secure context) runs the app's own classification and Look inside, held to the WASM backend's answers (TF.js's other kernels, on the CPU).
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  addImages,
  expectModelReady,
  fixture,
  openApp,
  predictionsOf,
  REFERENCE,
  resultFor,
} from './helpers';
import { e2eLaunchOptions } from './browserArgs';
import { expect, test } from './test';

/**
 * Dawn's robust buffer access, zeroing of workgroup memory and lazy clearing are safety nets for untrusted shaders
 * that SwiftShader emulates at great cost on the CPU; the app's kernels are TF.js's, and the answers are held to
 * the WASM backend's below, so a kernel that read out of bounds would still fail. WebGPU's validation stays on.
 * With them off each pass takes about two thirds of the time (docs/testing.md, "Time").
 */
const DAWN_TEST_TOGGLES = [
  'disable_robustness',
  'disable_workgroup_init',
  'disable_lazy_clear_for_mapped_at_creation_buffer',
];
test.use({
  launchOptions: e2eLaunchOptions([
    '--enable-unsafe-webgpu',
    '--use-webgpu-adapter=swiftshader',
    `--enable-dawn-features=${DAWN_TEST_TOGGLES.join(',')}`,
  ]),
});

const PHOTO = 'chelsea-256.png';
const STAGES = ['stem', 'layer1', 'layer2', 'layer3', 'layer4'];

interface Reference {
  logits: number[];
  top5: { indices: number[] };
}
const pytorch = JSON.parse(
  readFileSync(path.join(REFERENCE, 'resnet18.reference.json'), 'utf8'),
) as Reference;

/**
 * Everything the page shows of PyTorch's seeded ResNet18 on `backend`: the top-5 with probabilities, and each
 * stage's activation mean and standard deviation from Look inside.
 */
async function answersOn(page: Page, backend: 'webgpu' | 'wasm') {
  await openApp(page, `?model=resnet18&backend=${backend}`);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
  await page.getByTestId('weights-input').setInputFiles(path.join(REFERENCE, 'resnet18.safetensors'));
  await expect(page.getByTestId('weights-info')).toHaveAttribute('data-source', 'file', { timeout: 180_000 });
  await expectModelReady(page, 'resnet18');
  await addImages(page, fixture(PHOTO));
  const predictions = await predictionsOf(page, PHOTO, 'resnet18');

  await resultFor(page, PHOTO).getByTestId('inspect-button').click();
  const panel = page.getByTestId('feature-maps');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
  const stages: Record<string, { mean: number; std: number }> = {};
  for (const stage of STAGES) {
    const map = panel.locator(`[data-testid="feature-map"][data-stage="${stage}"]`);
    stages[stage] = {
      mean: Number(await map.getAttribute('data-mean')),
      std: Number(await map.getAttribute('data-std')),
    };
  }
  await expect(panel.locator('[data-testid="feature-map"][data-stage="layer4"]')).toHaveAttribute(
    'data-output-shape',
    '7x7x512',
  );
  return { predictions, stages };
}

/**
 * The page shows probabilities; their log-ratios to the top-1 are the logits' differences (softmax forgets only a
 * shared constant), so agreement here is agreement of the logits themselves.
 */
const logitGaps = (probabilities: number[]) =>
  probabilities.map((p) => Math.log(p) - Math.log(probabilities[0]!));

test("ResNet18 on WebGPU (SwiftShader's adapter): the page says so, its logits agree with the WASM backend's to 1e-3, and Look inside works", async ({
  page,
}) => {
  test.setTimeout(600_000);
  const onGpu = await answersOn(page, 'webgpu');
  const badge = page.getByTestId('backend');
  await expect(badge).toContainText('WEBGPU');
  await expect(badge).toContainText(/Software renderer: .*swiftshader/i);
  await expect(page.getByTestId('error')).toHaveCount(0);

  const onWasm = await answersOn(page, 'wasm');

  expect(onGpu.predictions.map((p) => p.classIndex)).toEqual(onWasm.predictions.map((p) => p.classIndex));
  expect(onGpu.predictions.map((p) => p.classIndex)).toEqual(pytorch.top5.indices);
  const gpuGaps = logitGaps(onGpu.predictions.map((p) => p.probability));
  const wasmGaps = logitGaps(onWasm.predictions.map((p) => p.probability));
  const worst = Math.max(...gpuGaps.map((gap, i) => Math.abs(gap - wasmGaps[i]!)));
  test
    .info()
    .annotations.push({ type: 'max |Δlogit gap| WebGPU vs WASM', description: worst.toExponential(2) });
  gpuGaps.forEach((gap, i) => expect(Math.abs(gap - wasmGaps[i]!), `logit gap ${i}`).toBeLessThan(1e-3));
  // And both against PyTorch's own logits: the browser's decoding differs from PIL's, so 1e-2 here.
  const top1 = pytorch.logits[pytorch.top5.indices[0]!]!;
  onGpu.predictions.forEach((p, i) =>
    expect(Math.abs(gpuGaps[i]! - (pytorch.logits[p.classIndex]! - top1)), `PyTorch gap ${i}`).toBeLessThan(
      1e-2,
    ),
  );

  for (const stage of STAGES) {
    const gpu = onGpu.stages[stage]!;
    const wasm = onWasm.stages[stage]!;
    expect(Math.abs(gpu.mean - wasm.mean) / Math.abs(wasm.mean), `${stage} mean`).toBeLessThan(1e-3);
    expect(Math.abs(gpu.std - wasm.std) / wasm.std, `${stage} std`).toBeLessThan(1e-3);
  }
});
