/**
 * The benchmark page behind `npm run bench` (bench.html): the app's own engine (worker, same code path), one
 * variant on one backend, timed. scripts/bench.mjs opens it once per variant x backend and reads
 * `window.__benchResult`. Built by vite.bench.config.ts, apart from the app.
 */
import { runJob } from '../src/client/engineJobs';
import type { JobOptions } from '../src/client/engineJobs';
import { bundledResNet50Url, variantSource } from '../src/client/modelSources';
import { startEngine } from '../src/client/startEngine';
import { EXPLAIN_METHODS } from '../src/shared/explain';
import type { ExplainMethod, ExplainRequest } from '../src/shared/explain';
import { isJobCancelled } from '../src/shared/jobs';
import { STAGE_NAMES } from '../src/shared/modelSummary';
import { isBackendChoice } from '../src/shared/protocol';
import type {
  BackendInfo,
  BenchResult,
  EngineApi,
  EngineImage,
  FeatureVisTarget,
  ModelHandle,
} from '../src/shared/protocol';
import { isVariantId } from '../src/shared/variants';
import type { StageName, VariantId } from '../src/shared/variants';

export interface BenchPageResult {
  variant: VariantId;
  backend: BackendInfo;
  startMs: number;
  loadMs: number;
  firstClassificationMs: number;
  /** Median of the image's classification (decode + forward + top-k) and of its feature-map inspection
   * (decode + one multi-output forward + drawing every stage and the CAM), same image, same engine. */
  classifyImageMs: number;
  inspectImageMs: number;
  /** Absent for `explain=none`. */
  explanations?: ExplainTiming[];
  /** Present for `featvis=`: each run asked for, in order. */
  featureVis?: FeatureVisTiming[];
  bench?: BenchResult;
}

/** One explanation of the inspected image at the last stage (or `sweep`: every stage), timed from the page. */
export interface ExplainTiming {
  method: ExplainMethod;
  stage: string;
  ms: number;
  /** The run was stopped at the time budget and its time extrapolated from its progress (Score-CAM on ResNet50). */
  estimated: boolean;
}

/** One feature visualization (issue #27), timed in the engine: the whole run and its median step. */
export interface FeatureVisTiming {
  target: string;
  steps: number;
  size: number;
  totalMs: number;
  stepMs: number;
  /** The objective's value for the final picture. */
  value: number;
  /** For a class: the model's own top-1 for the final picture as it was made (its size, no crop). */
  topClass?: number;
  /** For a class: the model's top-1 for the final picture dropped as a photo (resized and cropped to 224 px). */
  classifiedAs?: number;
}

declare global {
  interface Window {
    __benchResult?: BenchPageResult | { error: string };
  }
}

/** A photo-like test image made here, so the page needs no fixture files. */
async function testImage(): Promise<Blob> {
  const canvas = new OffscreenCanvas(320, 240);
  const ctx = canvas.getContext('2d')!;
  const gradient = ctx.createLinearGradient(0, 0, 320, 240);
  gradient.addColorStop(0, '#c96');
  gradient.addColorStop(1, '#246');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, 320, 240);
  ctx.fillStyle = '#eee';
  ctx.beginPath();
  ctx.arc(160, 120, 60, 0, Math.PI * 2);
  ctx.fill();
  return canvas.convertToBlob({ type: 'image/png' });
}

async function run(): Promise<BenchPageResult> {
  const params = new URLSearchParams(window.location.search);
  const backendParam = params.get('backend');
  const variantParam = params.get('variant');
  const backend = isBackendChoice(backendParam) ? backendParam : 'auto';
  const variant: VariantId = isVariantId(variantParam) ? variantParam : 'resnet18';
  const runs = Number(params.get('runs') ?? 20);
  const batch = Number(params.get('batch') ?? 16);
  const idleMs = Number(params.get('idle') ?? 0);

  let t = performance.now();
  const { engine, backend: info } = await startEngine(backend);
  const startMs = performance.now() - t;
  t = performance.now();
  const resnet50Url = bundledResNet50Url(import.meta.env.BASE_URL, window.location.href);
  const { handle } = await engine.load(variantSource(variant, resnet50Url));
  const loadMs = performance.now() - t;
  // As the page's queue asks (thumbnails made after the answer), so the times are the app's own path.
  const asDropped = { thumbnails: true };
  const [first] = await engine.classify(handle, [{ id: 'first', blob: await testImage() }], 5, asDropped);
  if (!first?.ok) throw new Error(first?.message ?? 'no result');
  const image = await testImage();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const classifyTimes: number[] = [];
  const inspectTimes: number[] = [];
  let top1 = 0;
  for (let i = 0; i < 3; i++) {
    const [c] = await engine.classify(handle, [{ id: `classify-${i}`, blob: image }], 5, asDropped);
    if (c?.ok) classifyTimes.push(c.totalMs);
    // Its own id: the engine keeps the crop of a classified image, and this times Look inside with its decode.
    const inspection = await engine.inspect(
      handle,
      { id: `inspect-${i}`, blob: image },
      {
        normalization: 'channel',
        colormap: 'viridis',
        order: 'index',
      },
    );
    inspectTimes.push(inspection.inspectMs);
    top1 = inspection.predictions[0]!.classIndex;
    inspection.input.close();
    inspection.cam.bitmap.close();
    inspection.stages.forEach((st) => st.bitmap.close());
  }
  const explain = params.get('explain') ?? 'full';
  const explanations =
    explain === 'none'
      ? undefined
      : await timeExplanations(
          { engine, handle, image: { id: 'inspect-2', blob: image } },
          top1,
          explain === 'fast',
          Number(params.get('budget') ?? 30_000),
          Number(params.get('repeats') ?? 3),
        );
  const featureVisRuns = params.get('featvis');
  const featureVis = featureVisRuns
    ? await timeFeatureVis(engine, handle, featureVisRuns.split(',').filter(Boolean))
    : undefined;
  const bench =
    params.get('classify') === 'none' ? undefined : await engine.benchmark(handle, { runs, batch, idleMs });
  await engine.dispose();
  return {
    variant,
    backend: info,
    startMs,
    loadMs,
    firstClassificationMs: first.totalMs,
    classifyImageMs: median(classifyTimes),
    inspectImageMs: median(inspectTimes),
    ...(explanations ? { explanations } : {}),
    ...(featureVis ? { featureVis } : {}),
    ...(bench ? { bench } : {}),
  };
}

/**
 * Each method on the last inspected image for its top-1 class: the gradient family `repeats` times (median), a
 * layer sweep as often, and (unless `fast`) the perturbation methods once each. A run longer than `budgetMs` is cancelled and its
 * time extrapolated from the fraction it reported.
 */
async function timeExplanations(
  { engine, handle, image }: { engine: EngineApi; handle: ModelHandle; image: EngineImage },
  classIndex: number,
  fast: boolean,
  budgetMs: number,
  repeats: number,
): Promise<ExplainTiming[]> {
  const explain = (request: ExplainRequest, options?: JobOptions) =>
    runJob(engine, 'bench-explain', (job) => engine.explain(handle, image, request, job), options);
  // CAM's sweep is its one stage, the last: also a warm-up of the explanation path.
  const [camMap] = await explain({ method: 'cam', stage: 'all', classIndex });
  camMap!.bitmap.close();
  const lastStage = camMap!.stage as Exclude<StageName, 'fc'>;
  const timings: ExplainTiming[] = [];
  const once = async (method: ExplainMethod, stage: 'last' | 'all'): Promise<ExplainTiming> => {
    let fraction = 0;
    const started = performance.now();
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), budgetMs);
    try {
      const maps = await explain(
        { method, stage: stage === 'all' ? 'all' : lastStage, classIndex },
        { signal: budget.signal, onProgress: (p) => (fraction = p.fraction ?? fraction) },
      );
      maps.forEach((m) => m.bitmap.close());
      return { method, stage, ms: performance.now() - started, estimated: false };
    } catch (err) {
      if (!isJobCancelled(err) || fraction <= 0) throw err;
      return { method, stage, ms: (performance.now() - started) / fraction, estimated: true };
    } finally {
      clearTimeout(timer);
    }
  };
  const gradient = EXPLAIN_METHODS.filter((m) => m.needs === 'gradient');
  const median = async (method: ExplainMethod, stage: 'last' | 'all') => {
    const runs: ExplainTiming[] = [];
    for (let i = 0; i < Math.max(1, repeats); i++) runs.push(await once(method, stage));
    return runs.sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
  };
  for (const { id } of gradient) timings.push(await median(id, 'last'));
  for (const { id } of gradient.filter((m) => m.stages === 'any')) timings.push(await median(id, 'all'));
  if (!fast) {
    for (const { id } of EXPLAIN_METHODS.filter((m) => m.needs !== 'gradient')) {
      timings.push(await once(id, 'last'));
    }
  }
  return timings;
}

/**
 * Feature visualizations one after another, each written `target/steps/size` with the target as the panel's
 * `data-target` names it (`layer4:17`, `layer4.1:3`, `class:22`), seed 1 as the panel's default.
 */
async function timeFeatureVis(
  engine: EngineApi,
  handle: ModelHandle,
  runs: readonly string[],
): Promise<FeatureVisTiming[]> {
  const timings: FeatureVisTiming[] = [];
  for (const spec of runs) {
    const [name = '', steps = '', size = ''] = spec.split('/');
    const request = { target: parseTarget(name), steps: Number(steps), size: Number(size), seed: 1 };
    const result = await runJob(engine, 'bench-featvis', (job) =>
      engine.featureVisualization(handle, request, job),
    );
    const timing: FeatureVisTiming = {
      target: name,
      steps: request.steps,
      size: request.size,
      totalMs: result.totalMs,
      stepMs: result.stepMs,
      value: result.value,
    };
    if (request.target.kind === 'class') {
      const { width, height, rgba } = result.picture;
      const canvas = new OffscreenCanvas(width, height);
      canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const [answer] = await engine.classify(handle, [{ id: `featvis-${timings.length}`, blob }], 1);
      if (!answer?.ok) throw new Error(answer?.message ?? 'the picture was not classified');
      timing.classifiedAs = answer.predictions[0]!.classIndex;
      if (result.topClass !== undefined) timing.topClass = result.topClass;
    }
    timings.push(timing);
  }
  return timings;
}

function parseTarget(name: string): FeatureVisTarget {
  const cut = name.lastIndexOf(':');
  const [unit, index] = [name.slice(0, cut), Number(name.slice(cut + 1))];
  if (cut < 0 || !Number.isInteger(index)) throw new Error(`not a feature visualization target: ${name}`);
  if (unit === 'class') return { kind: 'class', classIndex: index };
  const stage = STAGE_NAMES.find((s) => s === unit && s !== 'fc');
  return stage && stage !== 'fc'
    ? { kind: 'channel', stage, channel: index }
    : { kind: 'block', block: unit, channel: index };
}

const out = document.getElementById('out')!;
run().then(
  (result) => {
    window.__benchResult = result;
    out.textContent = JSON.stringify(result, null, 2);
  },
  (err: unknown) => {
    window.__benchResult = { error: err instanceof Error ? err.message : String(err) };
    out.textContent = String(err);
  },
);
