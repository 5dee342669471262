// `npm run bench:convs` (issue #14): how much of the app's distance to PyTorch is the convolution kernels
// themselves. Every distinct convolution of ResNet18 (or 34) as the app's fast path runs it (batch 1, BatchNorm
// folded, conv + bias (+ ReLU) as one tf.fused.conv2d) is timed alone on TF.js's WASM backend in headless
// Chromium (bench/bench-convs.html: a worker set up like the app's engine, bench/benchConvs.worker.ts) and natively
// in PyTorch (scripts/bench_convs_torch.py: F.conv2d + bias + relu_, NCHW); then GFLOP/s and ratios, the sums over
// the network against the whole-network times of both, and each side's best GEMM as its ceiling.
// PyTorch runs first, before the preview server and the browser start, so nothing of ours competes for the cores.
// Options: --variant resnet18|resnet34 --flavor reference|torchvision (reference: the app's seeded models)
//          --runs 30 --warmup 5 (per convolution) --network-runs 20 --profile-runs 5 (whole network)
//          --gemm 1024 (0 skips the ceilings) --port 4181
//          --dist dist-bench (what `npm run bench:convs` builds with vite.bench.config.ts: the bench room's pages,
//          apart from the app's build in dist/)
// Prints tables and writes bench-results/convs.json; about a minute after the build on an idle 2-core machine.
import { chromium } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startPreviewServer } from './previewServer.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM_ARGS = JSON.parse(readFileSync(path.join(ROOT, 'e2e', 'chromium-args.json'), 'utf8'));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const variant = opt('variant', 'resnet18');
const flavor = opt('flavor', 'reference');
const runs = Number(opt('runs', 30));
const warmup = Number(opt('warmup', 5));
const networkRuns = Number(opt('network-runs', 20));
const profileRuns = Number(opt('profile-runs', 5));
const gemm = Number(opt('gemm', 1024));
const port = Number(opt('port', 4181));
const dist = path.resolve(ROOT, opt('dist', 'dist-bench'));
const threads = availableParallelism();

const BLOCKS = { resnet18: [2, 2, 2, 2], resnet34: [3, 4, 6, 3] }[variant];
if (!BLOCKS || !['reference', 'torchvision'].includes(flavor)) {
  console.error('--variant resnet18|resnet34, --flavor reference|torchvision');
  process.exit(2);
}
if (!existsSync(path.join(dist, 'bench-convs.html'))) {
  console.error(
    `No bench build with bench-convs.html in ${dist}: run \`npm run bench:convs\` (it builds first).`,
  );
  process.exit(1);
}

/**
 * The network's convolutions in execution order, as src/model/fastResNet.ts runs them (stem; per block conv1,
 * conv2, then the shortcut's conv if any). Reference flavor (src/model/buildResNet.ts): 'same' padding, a 1x1
 * conv shortcut in every block, conv2's bias moved onto the shortcut. Torchvision flavor: symmetric padding, a
 * projection only where the shape changes. Every folded conv has a bias except a conv2 whose bias moved.
 */
function networkConvs() {
  const pad = flavor === 'reference' ? 'same' : 'symmetric';
  const list = [];
  const add = (role, h, cin, kernel, stride, cout, bias, relu) => {
    const conv = {
      inHeight: h,
      inWidth: h,
      inChannels: cin,
      kernel,
      stride,
      outChannels: cout,
      pad,
      bias,
      relu,
    };
    conv.key =
      `${h}x${h}x${cin} k${kernel} s${stride} -> ${cout}` + `${bias ? ' +b' : ''}${relu ? ' +relu' : ''}`;
    list.push({ role, conv });
    return Math.ceil(h / stride);
  };
  let h = add('stem', 224, 3, 7, 2, 64, true, true);
  h = Math.ceil(h / 2); // 3x3 max-pool, stride 2
  let cin = 64;
  [64, 128, 256, 512].forEach((cout, stage) => {
    for (let block = 0; block < BLOCKS[stage]; block++) {
      const stride = block === 0 && stage > 0 ? 2 : 1;
      const projected = flavor === 'reference' || stride !== 1 || cin !== cout;
      const h2 = add('conv1', h, cin, 3, stride, cout, true, true);
      add('conv2', h2, cout, 3, 1, cout, !projected, false);
      if (projected) add('shortcut', h, cin, 1, stride, cout, true, false);
      h = h2;
      cin = cout;
    }
  });
  return list;
}

const instances = networkConvs();
/** Distinct convolutions, in order of first use, with how many times the network runs each. */
const distinct = [];
for (const { conv } of instances) {
  const seen = distinct.find((d) => d.conv.key === conv.key);
  if (seen) seen.count++;
  else distinct.push({ conv, count: 1 });
}
const convs = distinct.map((d) => d.conv);
const gflopOf = (c) => {
  const out = Math.ceil(c.inHeight / c.stride) * Math.ceil(c.inWidth / c.stride);
  return (2 * out * c.outChannels * c.inChannels * c.kernel * c.kernel) / 1e9;
};

// 1. PyTorch alone.
const loadAverageStart = loadavg()[0];
process.stderr.write(
  `PyTorch: ${convs.length} distinct convolutions of ${variant} (${flavor}), ${threads} threads, ` +
    `nothing else of ours running (load average ${loadAverageStart.toFixed(2)})…\n`,
);
const torchRun = spawnSync('/usr/bin/python3', [path.join(ROOT, 'scripts', 'bench_convs_torch.py')], {
  input: JSON.stringify({
    threads,
    warmup,
    runs,
    gemm,
    networkRuns,
    depth: Number(variant.replace('resnet', '')),
    convs,
    instances: instances.map((i) => ({ key: i.conv.key, role: i.role })),
  }),
  encoding: 'utf8',
  maxBuffer: 64 * 2 ** 20,
});
if (torchRun.status !== 0) {
  console.error(`PyTorch failed: ${(torchRun.stderr || torchRun.error?.message || '').trim()}`);
  process.exit(1);
}
const torch = JSON.parse(torchRun.stdout.trim().split('\n').pop());

// 2. The browser: a preview server of the build, headless Chromium with the e2e tests' flags.
const { base, stop: stopServer } = await startPreviewServer(ROOT, port, {
  config: 'vite.bench.config.ts',
  outDir: dist,
  readyPath: '/bench-convs.html',
});

process.stderr.write(
  `TF.js WASM in Chromium: the same ${convs.length} convolutions, then the whole network…\n`,
);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});
let tfjs;
let chromiumVersion;
try {
  chromiumVersion = browser.version();
  const page = await browser.newPage();
  page.setDefaultTimeout(600_000);
  await page.goto(`${base}/bench-convs.html`);
  await page.waitForFunction(() => typeof window.__benchConvs === 'function');
  tfjs = await page.evaluate((request) => window.__benchConvs(request), {
    convs,
    warmup,
    runs,
    network: { variant, flavor, runs: networkRuns, profileRuns },
    gemm,
  });
} finally {
  await browser.close();
  stopServer();
}

// 3. The page's profile of the real network must show the convolutions listed here, in this order.
const shapeOf = (c) => [
  [1, c.inHeight, c.inWidth, c.inChannels],
  [c.kernel, c.kernel, c.inChannels, c.outChannels],
];
const mismatch =
  tfjs.network.fusedConvs.length !== instances.length
    ? `${tfjs.network.fusedConvs.length} FusedConv2D kernels in the profiled pass, ${instances.length} listed`
    : instances
        .map(({ conv }, i) => {
          const seen = tfjs.network.fusedConvs[i];
          const [x, f] = shapeOf(conv);
          return JSON.stringify([seen.inputShape, seen.filterShape, seen.hasBias]) ===
            JSON.stringify([x, f, conv.bias])
            ? null
            : `conv ${i}: profiled ${JSON.stringify(seen)}, listed ${conv.key}`;
        })
        .find(Boolean);
if (mismatch) {
  console.error(`The network's convolutions are not the ones listed here: ${mismatch}`);
  process.exit(1);
}

// 4. The table.
const byKey = (list) => Object.fromEntries(list.map((t) => [t.key, t]));
const tfByKey = byKey(tfjs.convs);
const torchByKey = byKey(torch.convs);
const inNetwork = {};
instances.forEach(({ conv }, i) => (inNetwork[conv.key] ??= []).push(tfjs.network.fusedConvs[i].medianMs));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = distinct.map(({ conv, count }) => {
  const gflop = gflopOf(conv);
  const tf = tfByKey[conv.key].medianMs;
  const pt = torchByKey[conv.key].medianMs;
  return {
    key: conv.key,
    count,
    gflop,
    tfjsMs: tf,
    tfjsGflops: gflop / (tf / 1000),
    tfjsInNetworkMs: mean(inNetwork[conv.key]),
    torchMs: pt,
    torchGflops: gflop / (pt / 1000),
    ratio: tf / pt,
    tfjs: tfByKey[conv.key],
    torch: torchByKey[conv.key],
  };
});
const sum = (f) => rows.reduce((a, r) => a + r.count * f(r), 0);
const totals = {
  convs: instances.length,
  gflop: sum((r) => r.gflop),
  tfjsMs: sum((r) => r.tfjsMs),
  tfjsInNetworkMs: tfjs.network.fusedConvs.reduce((a, c) => a + c.medianMs, 0),
  torchMs: sum((r) => r.torchMs),
};
totals.tfjsGflops = totals.gflop / (totals.tfjsMs / 1000);
totals.torchGflops = totals.gflop / (totals.torchMs / 1000);
totals.ratio = totals.tfjsMs / totals.torchMs;

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
console.log(
  `\n${variant} (${flavor} flavor), batch 1: each distinct convolution timed alone, median of ${runs} calls ` +
    `after ${warmup} warm-up calls, in interleaved rounds; TF.js = tf.fused.conv2d on WASM ` +
    `(${tfjs.backend.simd ? 'SIMD' : 'no SIMD'}, ${tfjs.backend.threads} threads), PyTorch ${torch.torch} = ` +
    `F.conv2d + bias (+ relu_), NCHW, ${torch.threads} threads. "in net" = the same kernel inside the network ` +
    `(tf.profile, median of ${profileRuns} passes, mean over its uses).`,
);
console.table([
  ...rows.map((r) => ({
    'convolution (in HxWxC, kernel, stride -> out C)': r.key,
    n: r.count,
    GFLOP: r.gflop.toFixed(3),
    'TF.js ms': f2(r.tfjsMs),
    'TF.js GFLOP/s': f1(r.tfjsGflops),
    'in net ms': f2(r.tfjsInNetworkMs),
    'PyTorch ms': f2(r.torchMs),
    'PyTorch GFLOP/s': f1(r.torchGflops),
    'TF.js/PyTorch': f2(r.ratio),
  })),
  {
    'convolution (in HxWxC, kernel, stride -> out C)': `network: sum x n (${totals.convs} convs)`,
    n: totals.convs,
    GFLOP: totals.gflop.toFixed(3),
    'TF.js ms': f1(totals.tfjsMs),
    'TF.js GFLOP/s': f1(totals.tfjsGflops),
    'in net ms': f1(totals.tfjsInNetworkMs),
    'PyTorch ms': f1(totals.torchMs),
    'PyTorch GFLOP/s': f1(totals.torchGflops),
    'TF.js/PyTorch': f2(totals.ratio),
  },
]);

const tfForward = tfjs.network.classify.medianMs;
const appGraph = torch.appGraph.medianMs;
const tv = torch.torchvision.medianMs;
const others = Object.entries(tfjs.network.kernelsMs)
  .filter(([name]) => name !== 'FusedConv2D')
  .sort((a, b) => b[1] - a[1]);
const pct = (a, b) => `${((100 * a) / b).toFixed(0)}%`;
const whole = {
  tfjsForwardMs: tfForward,
  tfjsConvsAloneMs: totals.tfjsMs,
  tfjsConvsInNetworkMs: totals.tfjsInNetworkMs,
  tfjsKernelTotalMs: tfjs.network.kernelTotalMs,
  torchAppGraphMs: appGraph,
  torchConvsAloneMs: totals.torchMs,
  torchvisionMs: tv,
  ratioForwardVsTorchvision: tfForward / tv,
  ratioForwardVsTorchAppGraph: tfForward / appGraph,
  // If TF.js's convolutions alone already take this many times torchvision's whole pass, no work outside the
  // kernels can bring the app under it: the kernel floor.
  floorConvsOnlyVsTorchvision: totals.tfjsMs / tv,
  // The app with its convolutions at PyTorch's per-convolution times and everything else as measured.
  ifConvsNativeVsTorchvision: (tfForward - totals.tfjsMs + totals.torchMs) / tv,
  tfjsRestMs: tfForward - totals.tfjsMs,
  torchAppGraphRestMs: appGraph - totals.torchMs,
};
console.log(
  `\nwhole network, batch 1 (medians):` +
    `\n  TF.js WASM forward (classifyTensor, as in \`npm run bench\`): ${f1(tfForward)} ms (${networkRuns} runs)` +
    `\n    its ${totals.convs} convolutions: ${f1(totals.tfjsMs)} ms timed alone ` +
    `(${pct(totals.tfjsMs, tfForward)}), ${f1(totals.tfjsInNetworkMs)} ms inside the pass ` +
    `(tf.profile, ${pct(totals.tfjsInNetworkMs, tfForward)})` +
    `\n    the rest: ${f1(whole.tfjsRestMs)} ms; kernels other than the convolutions: ` +
    others
      .slice(0, 6)
      .map(([name, ms]) => `${name} ${f1(ms)}`)
      .join(', ') +
    `; the remainder is TF.js's own work between kernels` +
    `\n  PyTorch, the app's graph (the same ${totals.convs} fused convolutions, adds, pool, fc): ${f1(appGraph)} ms;` +
    ` its convolutions alone ${f1(totals.torchMs)} ms (${pct(totals.torchMs, appGraph)})` +
    `\n  PyTorch, torchvision ${variant} (eval, BatchNorm not folded; what \`npm run bench\` compares with): ` +
    `${f1(tv)} ms` +
    `\n  TF.js forward / torchvision ${f2(whole.ratioForwardVsTorchvision)}x, / the app's graph in PyTorch ` +
    `${f2(whole.ratioForwardVsTorchAppGraph)}x; convolutions alone ${f2(totals.ratio)}x` +
    `\n  kernel floor: TF.js's convolutions alone take ${f2(whole.floorConvsOnlyVsTorchvision)}x torchvision's ` +
    `whole pass, which no saving outside them can go below; with PyTorch's convolution times and the rest as ` +
    `measured the app would be at ${f2(whole.ifConvsNativeVsTorchvision)}x`,
);

const G = (2 * gemm ** 3) / 1e6; // MFLOP, so that MFLOP / ms = GFLOP/s
const ceiling = torch.gemm &&
  tfjs.gemm && {
    size: gemm,
    gflop: G / 1000,
    torchConv1x1BestGflops: torch.gemm.conv1x1BestGflops,
    torchConv1x1OneThreadBestGflops: torch.gemm.oneThread.conv1x1BestGflops,
    torchMmBestGflops: torch.gemm.mmBestGflops,
    tfjsConv1x1BestGflops: G / tfjs.gemm.conv1x1.minMs,
    tfjsMatMulBestGflops: G / tfjs.gemm.matMul.minMs,
  };
const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const avx512 = /\bavx512f\b/.test(cpuinfo);
// x86 Linux reports BogoMIPS as twice the TSC clock: a rough nominal clock where "cpu MHz" is absent (KVM).
const mhz =
  Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1]) ||
  Number(/^bogomips\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1]) / 2;
// Zen 4 (AMD family 25 with AVX-512) runs AVX-512 on two 256-bit FMA pipes: 2 x 8 lanes x 2 FLOP per cycle.
const zen4 = /AuthenticAMD/.test(cpuinfo) && /^cpu family\s*:\s*25$/m.test(cpuinfo) && avx512;
const nominalGflops = zen4 && mhz ? (threads * mhz * 32) / 1000 : null;
if (ceiling) {
  const wasmBest = Math.max(ceiling.tfjsConv1x1BestGflops, ceiling.tfjsMatMulBestGflops);
  // One thread can beat two on a busy machine (OpenMP waits for a descheduled thread): the best is the ceiling.
  const nativeBest = Math.max(ceiling.torchConv1x1BestGflops, ceiling.torchConv1x1OneThreadBestGflops);
  console.log(
    `\nceilings, a ${gemm}^3 GEMM (${f2(ceiling.gflop)} GFLOP), best of its calls:` +
      `\n  PyTorch oneDNN (${torch.onednnIsa ?? 'ISA unknown'}), as a 1x1 conv: ` +
      `${f1(ceiling.torchConv1x1BestGflops)} GFLOP/s on ${threads} threads, ` +
      `${f1(ceiling.torchConv1x1OneThreadBestGflops)} on 1; torch.mm (this PyTorch's BLAS): ` +
      `${f1(ceiling.torchMmBestGflops)}` +
      `\n  TF.js WASM (XNNPACK, 128-bit SIMD): ${f1(ceiling.tfjsConv1x1BestGflops)} GFLOP/s as a 1x1 conv, ` +
      `${f1(ceiling.tfjsMatMulBestGflops)} as tf.matMul` +
      `\n  native / WASM, best against best: ${f2(nativeBest / wasmBest)}x` +
      (nominalGflops
        ? `; nominal AVX-512 peak ~${nominalGflops.toFixed(0)} GFLOP/s at the ${(mhz / 1000).toFixed(2)} GHz ` +
          `base clock (${threads} cores x 32 FLOP/cycle, Zen 4), more at boost clocks`
        : ''),
  );
}
const TARGET = 2.5;
const floorOk = whole.floorConvsOnlyVsTorchvision <= TARGET;
console.log(
  `\nissue #14 (the engine at ${TARGET}x PyTorch or better): ${f2(whole.ratioForwardVsTorchvision)}x in this run, ` +
    `${whole.ratioForwardVsTorchvision <= TARGET ? 'met' : 'missed'}; the convolutions alone are ` +
    `${f2(whole.floorConvsOnlyVsTorchvision)}x torchvision's whole pass, so ${TARGET}x is ` +
    `${floorOk ? 'within reach of these kernels' : 'out of reach of these kernels, whatever the rest costs'}.`,
);
const load = loadavg()[0];
console.log(
  `machine: ${cpu}, ${threads} cores${avx512 ? ', AVX-512' : ''}; Chromium ${chromiumVersion}; PyTorch ` +
    `${torch.torch} (ATen ${torch.cpuCapability ?? '?'}, oneDNN ${torch.mkldnn ? 'on' : 'off'}); load average ` +
    `${loadAverageStart.toFixed(2)} before the run, ${load.toFixed(2)} after it`,
);
// Before PyTorch started, i.e. the minute before this run (the build included); this run alone keeps the cores busy.
if (loadAverageStart > threads * 0.75) {
  console.log(
    `WARNING: the machine was busy before this run (load average ${loadAverageStart.toFixed(2)} on ${threads} ` +
      'cores): take these numbers again on an idle machine.',
  );
}

mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
const out = path.join(ROOT, 'bench-results', 'convs.json');
writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      variant,
      flavor,
      runs,
      warmup,
      networkRuns,
      profileRuns,
      machine: {
        cpu,
        cores: threads,
        avx512,
        nominalGflops,
        chromium: chromiumVersion,
        loadAverageStart,
        loadAverageEnd: load,
      },
      rows,
      totals,
      whole,
      ceiling,
      instances: instances.map((i, n) => ({ ...i, inNetworkMs: tfjs.network.fusedConvs[n].medianMs })),
      tfjs,
      torch,
    },
    null,
    2,
  ),
);
console.log(`wrote ${path.relative(ROOT, out)}`);
