// `npm run bench`: times the production build in headless Chromium, per variant x backend, against the naive
// layers-model path and native PyTorch, and prints a table and JSON (bench-results/bench.json).
// Options: --variants resnet18,resnet34 --backends webgl,wasm --runs 20 --batch 16 --port 4180
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';

const CHROMIUM_ARGS = JSON.parse(readFileSync(new URL('../e2e/chromium-args.json', import.meta.url), 'utf8'));
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const variants = opt('variants', 'resnet18,resnet34').split(',');
const backends = opt('backends', 'webgl,wasm').split(',');
const runs = Number(opt('runs', 20));
const batch = Number(opt('batch', 16));
const port = Number(opt('port', 4180));
const base = `http://127.0.0.1:${port}`;

if (!existsSync(path.join(ROOT, 'dist', 'bench.html'))) {
  console.error('No production build with bench.html: run `npm run build` first (npm run bench does).');
  process.exit(1);
}

const server = spawn(
  'npx',
  ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
  {
    cwd: ROOT,
    stdio: 'ignore',
    detached: true,
  },
);
const stopServer = () => {
  try {
    process.kill(-server.pid);
  } catch {
    /* already gone */
  }
};
process.on('exit', stopServer);

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not start on ${base}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});

function torchBench(depth) {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      path.join(ROOT, 'scripts', 'bench_torch.py'),
      '--depth',
      String(depth),
      '--runs',
      String(runs),
      '--batch',
      String(batch),
    ],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) return { error: (r.stderr || 'python3-torch not available').trim().split('\n').pop() };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Page load to the first top-k on screen, as a user experiences it (fresh browser context, no cache). */
async function firstResult(variant, backend) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${base}/?model=${variant}&backend=${backend}`);
  await page.waitForSelector('[data-testid="model-status"][data-state="ready"]', { timeout: 600_000 });
  const readyMs = Date.now() - t0;
  await page.getByTestId('image-input').setInputFiles(path.join(ROOT, 'e2e', 'fixtures', 'chelsea.jpg'));
  await page.waitForSelector('[data-testid="result"][data-status="done"] [data-testid="prediction"]', {
    timeout: 600_000,
  });
  const totalMs = Date.now() - t0;
  await context.close();
  return { readyMs, totalMs };
}

try {
  await waitForServer();
  const results = [];
  for (const variant of variants) {
    for (const backend of backends) {
      const context = await browser.newContext();
      const page = await context.newPage();
      process.stderr.write(`bench ${variant} on ${backend}…\n`);
      await page.goto(`${base}/bench.html?variant=${variant}&backend=${backend}&runs=${runs}&batch=${batch}`);
      await page.waitForFunction(() => window.__benchResult, null, { timeout: 1_200_000, polling: 500 });
      const result = await page.evaluate(() => window.__benchResult);
      await context.close();
      results.push({ variant, requestedBackend: backend, ...result });
    }
  }
  const torch = Object.fromEntries(
    [...new Set(variants.map((v) => Number(v.replace('resnet', ''))))].map((d) => [d, torchBench(d)]),
  );
  process.stderr.write('end-to-end first result (resnet18, webgl)…\n');
  const endToEnd = await firstResult('resnet18', 'webgl');

  const rows = results.map((r) => {
    if (r.error) return { variant: r.variant, backend: r.requestedBackend, error: r.error };
    const t = torch[Number(r.variant.replace('resnet', ''))];
    const ms = r.bench.classify.medianMs;
    return {
      variant: r.variant,
      backend: `${r.backend.name}${r.backend.softwareRenderer ? ' (software)' : ''}`,
      'load ms': Math.round(r.loadMs),
      'first ms': Math.round(r.firstClassificationMs),
      'median ms': ms.toFixed(1),
      'p95 ms': r.bench.classify.p95Ms.toFixed(1),
      'naive ms': r.bench.naivePredict.medianMs.toFixed(1),
      'naive/app': (r.bench.naivePredict.medianMs / ms).toFixed(2),
      'img/s 1': r.bench.singleImagesPerSec.toFixed(2),
      [`img/s ${batch}`]: r.bench.batchImagesPerSec.toFixed(2),
      'batch gain': (r.bench.batchImagesPerSec / r.bench.singleImagesPerSec).toFixed(2),
      'feature maps ms': Math.round(r.inspectImageMs),
      'fm/classify': (r.inspectImageMs / r.classifyImageMs).toFixed(2),
      'peak MiB': (r.bench.peakBytes / 2 ** 20).toFixed(0),
      leaked: r.bench.tensorsAfter - r.bench.tensorsBefore,
      'torch ms': t && !t.error ? t.single.medianMs.toFixed(1) : '-',
      'app/torch': t && !t.error ? (ms / t.single.medianMs).toFixed(2) : '-',
    };
  });
  console.table(rows);
  console.log(
    `end-to-end, page load to first top-k (resnet18, webgl): ${endToEnd.totalMs} ms (model ready after ${endToEnd.readyMs} ms)`,
  );
  for (const [depth, t] of Object.entries(torch)) {
    if (t.error) console.log(`PyTorch resnet${depth}: ${t.error}`);
    else
      console.log(
        `PyTorch ${t.torch} resnet${depth}, ${t.threads} threads: ${t.single.medianMs.toFixed(1)} ms/image, ${t.batchImagesPerSec.toFixed(1)} img/s at batch ${t.batch}`,
      );
  }
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  const out = path.join(ROOT, 'bench-results', 'bench.json');
  writeFileSync(
    out,
    JSON.stringify({ date: new Date().toISOString(), runs, batch, results, torch, endToEnd, rows }, null, 2),
  );
  console.log(`wrote ${path.relative(ROOT, out)}`);
} finally {
  await browser.close();
  stopServer();
}
