/**
 * The Network view (issue #25): opened from a link, drawn from the model the worker built, expanded, clicked and
 * walked by keyboard; a block's detail on the photo looked inside, the ratio chart's values in their own request
 * and agreeing with each detail, twenty details with no tensor left behind; feature visualization of a block's
 * channel from its detail, Grad-CAM at a block, the weights as pictures, axe-clean, top to bottom on a phone, and a
 * photo looked inside before the view opened. One page throughout: each step starts from what the one before left.
 */
import { expectNoSeriousViolations } from './axe';
import {
  addImages,
  engineHeld,
  fixture,
  holdEngine,
  numTensors,
  openApp,
  predictionsOf,
  releaseEngine,
  resultFor,
} from './helpers';
import { RESNET18_BLOCKS } from '../src/testing/resnet18Blocks';
import { expect, test } from './test';

const BLOCKS = RESNET18_BLOCKS;

test('the network view: graph, layers, keyboard, block details, memory, axe and a phone', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // The link opens the view; the model is the seeded ResNet18 in the reference design.
  await openApp(page, '?model=resnet18&view=network');
  const view = page.getByTestId('arch-view');
  const node = (id: string) => view.locator(`[data-testid="arch-node"][data-node-id="${id}"]`);
  await expect(view).toHaveAttribute('data-model', 'resnet18');
  await expect(view).toHaveAttribute('data-total-params', '12053608');
  await expect(view).toHaveAttribute('data-total-macs', '1878298624');
  const modelTensors = await numTensors(page);

  const nodes = view.getByTestId('arch-node');
  await expect(nodes).toHaveCount(10);
  expect(await nodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')))).toEqual([
    'stem',
    ...BLOCKS,
    'fc',
  ]);
  await expect(node('stem')).toHaveAttribute('data-output-shape', '56x56x64');
  await expect(node('layer4.1')).toHaveAttribute('data-kind', 'block');
  await expect(node('fc')).toHaveAttribute('data-macs', '512000');
  // The reference design puts a 1x1 convolution (no BatchNorm) on every shortcut.
  const skips = view.locator('[data-testid="arch-edge"][data-kind="shortcut"]');
  expect(
    await skips.evaluateAll((els) =>
      els.map((e) => `${e.getAttribute('data-block')}:${e.getAttribute('data-shortcut')}`),
    ),
  ).toEqual(BLOCKS.map((b) => `${b}:conv1x1`));
  await expect(view.locator('[data-testid="arch-edge"][data-kind="main"]')).toHaveCount(9);

  // Closed and opened again, it draws from the graph already read: timed in the page, click to nodes drawn, and
  // printed, not asserted (a shared machine; the team measures speed in the bench and the docs, not in tests).
  const drawMs = await page.evaluate(async () => {
    const toggle = document.querySelector<HTMLButtonElement>('[data-testid="arch-open"]')!;
    toggle.click();
    await new Promise(requestAnimationFrame);
    const started = performance.now();
    toggle.click();
    while (!document.querySelector('[data-testid="arch-node"]')) await new Promise(requestAnimationFrame);
    return performance.now() - started;
  });
  console.log(`network view drawn in ${drawMs.toFixed(0)} ms`);
  await expect(nodes).toHaveCount(10);

  // A block expands to its layers and collapses back.
  const expand = view.locator('[data-testid="arch-expand"]').nth(1);
  await expand.click();
  const layers = view.getByTestId('arch-layers');
  await expect(layers.locator('li')).toHaveCount(8);
  expect(
    await layers.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-layer-kind'))),
  ).toEqual(['conv', 'bn', 'relu', 'conv', 'bn', 'conv', 'add', 'relu']);
  await expand.click();
  await expect(layers).toHaveCount(0);

  // Without an image looked inside, a block says how to get one.
  await node('layer2.0').click();
  await expect(view.getByText(/open an image.s Look inside/)).toBeVisible();

  await addImages(page, fixture('chelsea.jpg'));
  await predictionsOf(page, 'chelsea.jpg', 'resnet18');
  await resultFor(page, 'chelsea.jpg').getByTestId('inspect-button').click();
  await expect(page.getByTestId('feature-maps')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });

  // The block opened before follows the image now looked inside: the image's first detail, which runs its own
  // block only (the chart's values come after it, in their own request).
  const detail = view.getByTestId('arch-detail');
  await expect(detail).toHaveAttribute('data-node-id', 'layer2.0');
  await expect(detail).toHaveAttribute('data-state', 'done');
  const firstMs = Number(await detail.getAttribute('data-detail-ms'));
  console.log(`first block detail of the image: ${firstMs.toFixed(0)} ms (engine)`);
  const rms = await detail.evaluate((e) =>
    ['data-residual-rms', 'data-shortcut-rms', 'data-output-rms'].map((a) => Number(e.getAttribute(a))),
  );
  for (const value of rms) expect(value).toBeGreaterThan(0);
  await expect(detail.getByTestId('feature-map')).toHaveAttribute('data-output-shape', '28x28x128');
  const chart = detail.getByTestId('arch-ratios');
  await expect(chart).toHaveAttribute('data-count', '8');
  const chartMs = Number(await chart.getAttribute('data-contributions-ms'));
  console.log(`ratio chart's values: ${chartMs.toFixed(0)} ms (engine, after the first detail)`);

  /** The detail's own branch / shortcut ratio is the chart's bar for the block (measured in another request). */
  const agreesWithChart = async (id: string) => {
    const [residual, shortcut] = await detail.evaluate((e) =>
      ['data-residual-rms', 'data-shortcut-rms'].map((a) => Number(e.getAttribute(a))),
    );
    await expect(chart).toHaveAttribute(
      'aria-label',
      new RegExp(`\\b${id.replace('.', '\\.')} ${(residual! / shortcut!).toFixed(2)}\\b`),
    );
  };
  await agreesWithChart('layer2.0');

  // The keyboard: arrows move between nodes, Home and End to the ends, Enter opens.
  await node('layer2.0').focus();
  await page.keyboard.press('ArrowRight');
  await expect(node('layer2.1')).toBeFocused();
  await page.keyboard.press('End');
  await expect(node('fc')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(node('stem')).toBeFocused();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
  await expect(node('layer3.1')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(detail).toHaveAttribute('data-node-id', 'layer3.1');
  await expect(detail).toHaveAttribute('data-state', 'done');
  await agreesWithChart('layer3.1');

  // Twenty block details: each from the kept activations (a stage's last block from its kept output), each
  // agreeing with the chart, and no tensor left behind.
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const id = BLOCKS[i % BLOCKS.length]!;
    await node(id).click();
    await expect(detail).toHaveAttribute('data-node-id', id);
    await expect(detail).toHaveAttribute('data-state', 'done');
    times.push(Number(await detail.getAttribute('data-detail-ms')));
    if (i < BLOCKS.length) await agreesWithChart(id);
  }
  times.sort((a, b) => a - b);
  console.log(
    `block detail: median ${times[10]!.toFixed(0)} ms, slowest ${times[19]!.toFixed(0)} ms (engine)`,
  );
  await expect.poll(() => numTensors(page)).toBe(modelTensors);

  // Feature visualization of a channel of the block shown (layer2.1), from its detail: the box starts at the
  // channel strongest on the photo; a short run on the smallest picture ends with that block's channel as its
  // target. Its gradient passes keep their kernels with the model, as Grad-CAM's below do.
  const channel = await detail.getByTestId('featvis-block-channel').inputValue();
  expect(Number(channel)).toBeGreaterThanOrEqual(0);
  expect(Number(channel)).toBeLessThan(128);
  await detail.getByTestId('featvis-channel').click();
  const vis = page.getByTestId('featvis');
  await expect(vis.getByTestId('featvis-target')).toContainText(`block layer2.1, channel ${channel}`);
  await vis.getByTestId('featvis-size').selectOption('96');
  await vis.getByTestId('featvis-steps').fill('2');
  await vis.getByTestId('featvis-run').click();
  const picture = vis.getByTestId('featvis-image');
  await expect(picture).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(picture).toHaveAttribute('data-target', `layer2.1:${channel}`);
  await vis.getByRole('button', { name: 'Close feature visualization' }).click();

  // Grad-CAM at the block shown (layer2.1), for the class Look inside maps. Its gradient passes keep the flipped
  // kernels they made for later passes, as explanations do: from here on that is the model's own memory.
  const classIndex = await page.getByTestId('cam-overlay').getAttribute('data-class-index');
  await detail.getByTestId('arch-gradcam-button').click();
  await expect(detail.getByTestId('arch-gradcam')).toHaveAttribute('data-class-index', classIndex!);
  const withGradients = await numTensors(page);

  // The weights as pictures: the stem's 64 kernels, and a histogram per convolution and the dense layer.
  await view.getByTestId('weights-show').click();
  await expect(view.getByTestId('first-layer-filters')).toHaveAttribute('data-count', '64');
  await expect(view.getByTestId('weight-histogram')).toHaveCount(26);
  await expect.poll(() => numTensors(page)).toBe(withGradients);

  await expectNoSeriousViolations(page, 'the network view with a block detail and the weights');

  // A phone: the graph runs top to bottom and fits the width.
  await page.setViewportSize({ width: 390, height: 844 });
  const box = async (id: string) => (await node(id).boundingBox())!;
  expect((await box('layer1.0')).y).toBeGreaterThan((await box('stem')).y);
  expect((await box('layer1.1')).y).toBeGreaterThan((await box('layer1.0')).y);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await view.screenshot({ path: test.info().outputPath('network-phone.png') });

  // Another photo looked inside with the view closed (a pass that keeps no block), then the view opened: it asks
  // at once for one pass with every block, so the details after it only draw. The engine held before each forward
  // pass shows it: one as the view opens, none for the details of a block inside a stage and a stage's last.
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.getByTestId('arch-open').click();
  await expect(view).toHaveCount(0);
  await addImages(page, fixture('coffee.jpg'));
  await predictionsOf(page, 'coffee.jpg', 'resnet18');
  await resultFor(page, 'coffee.jpg').getByTestId('inspect-button').click();
  await expect(page.getByTestId('feature-maps')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await holdEngine(page, ['forward']);
  await page.getByTestId('arch-open').click();
  await engineHeld(page, 1);
  await releaseEngine(page);
  await holdEngine(page, ['forward']);
  const afterOpening: string[] = [];
  for (const id of ['layer3.0', 'layer4.1']) {
    await node(id).click();
    await expect(detail).toHaveAttribute('data-node-id', id);
    await expect(detail).toHaveAttribute('data-state', 'done');
    await agreesWithChart(id);
    afterOpening.push(`${id} ${Number(await detail.getAttribute('data-detail-ms')).toFixed(0)} ms`);
  }
  console.log(
    `opened over a photo looked inside before: the pass with every block ` +
      `${Number(await chart.getAttribute('data-contributions-ms')).toFixed(0)} ms, then details ` +
      `${afterOpening.join(', ')} (engine)`,
  );
  await engineHeld(page, 1);
  await releaseEngine(page);

  // Closed, the engine holds the model's own tensors and nothing else.
  await page.getByTestId('arch-open').click();
  await expect(view).toHaveCount(0);
  await expect.poll(() => numTensors(page)).toBe(withGradients);
});
