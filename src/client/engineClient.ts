import { proxy, releaseProxy, transfer, wrap } from 'comlink';
import type { Remote } from 'comlink';

import type {
  BenchOptions,
  BackendInfo,
  BackendChoice,
  EngineApi,
  FeatureMapOptions,
  LoadModelRequest,
  LoadProgress,
  WeightsPayload,
} from '../shared/protocol';
import { ImagePrepareError, prepareImageForEngine } from './prepareImage';
import { lifeLockName, watchLifeLock } from './workerLifeLock';

/** An engine plus what it runs on; the only thing the store holds of the inference layer. */
export interface StartedEngine {
  engine: EngineApi;
  backend: BackendInfo;
}

/** A call that could not complete because its engine failed (worker died, GPU context lost). */
export class EngineFaultError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'EngineFaultError';
  }
}

class WorkerEngine implements EngineApi {
  private faultReason: string | null = null;
  private rejectInFlight!: (err: EngineFaultError) => void;
  /** Rejects when the engine fails; every call races it, so nothing waits forever on a dead worker. */
  private readonly failed = new Promise<never>((_, reject) => {
    this.rejectInFlight = reject;
  });
  private faultHandler: ((reason: string) => void) | null = null;
  private stopWatching: () => void = () => undefined;

  constructor(
    private readonly worker: Worker,
    private readonly remote: Remote<EngineApi>,
    private readonly lockName: string,
  ) {
    this.failed.catch(() => undefined); // observed through the races below
  }

  /** Starts watching for the worker's death; once it has answered (its module ran and took its lock). */
  watch(): void {
    this.stopWatching = watchLifeLock(this.lockName, () =>
      this.fail('The inference worker stopped unexpectedly.'),
    );
  }

  private fail(reason: string): void {
    if (this.faultReason) return;
    this.faultReason = reason;
    this.stopWatching();
    this.worker.terminate();
    this.rejectInFlight(new EngineFaultError(reason));
    this.faultHandler?.(reason);
  }

  // Generic over the whole promise type: comlink's Remote<> returns unions of promises that a plain
  // Promise<T> parameter would not infer.
  private guard<P extends PromiseLike<unknown>>(call: P): Promise<Awaited<P>> {
    if (this.faultReason) return Promise.reject(new EngineFaultError(this.faultReason));
    return Promise.race([call, this.failed]) as Promise<Awaited<P>>;
  }

  onFault(handler: (reason: string) => void) {
    this.faultHandler = handler;
    return this.guard(this.remote.onFault(proxy((reason: string) => this.fail(reason))));
  }
  initBackend(requested: BackendChoice, rendererHint?: string) {
    return this.guard(this.remote.initBackend(requested, rendererHint));
  }
  loadModel(request: LoadModelRequest, onProgress: (p: LoadProgress) => void) {
    // Callbacks cannot be structured-cloned; comlink's proxy turns them into a message channel.
    return this.guard(this.remote.loadModel(request, proxy(onProgress)));
  }
  loadWeights(payload: WeightsPayload, onProgress: (p: LoadProgress) => void) {
    // Hand the (possibly 100 MB) buffers over instead of copying them; the page does not need them after.
    const buffers = [...new Set(payload.files.map((f) => f.data))];
    return this.guard(this.remote.loadWeights(transfer(payload, buffers), proxy(onProgress)));
  }
  exportModel() {
    return this.guard(this.remote.exportModel());
  }
  async classify(image: Blob, k: number): ReturnType<EngineApi['classify']> {
    let prepared: Blob;
    try {
      prepared = await prepareImageForEngine(image);
    } catch (err) {
      // An SVG is rendered here on the page (the worker cannot); one that fails gets the engine's kind of card.
      if (!(err instanceof ImagePrepareError)) throw err;
      return { ok: false, code: err.code, message: err.message, memory: await this.memory() };
    }
    return this.guard(this.remote.classify(prepared, k));
  }
  async classifyMany(images: readonly Blob[], k: number): ReturnType<EngineApi['classifyMany']> {
    // Same page-side preparation as `classify`, image by image; the good ones go to the engine in one batch.
    const prepared = await Promise.all(
      images.map((image) =>
        prepareImageForEngine(image).then(
          (blob) => ({ ok: true as const, blob }),
          (err: unknown) => {
            if (!(err instanceof ImagePrepareError)) throw err;
            return { ok: false as const, code: err.code, message: err.message };
          },
        ),
      ),
    );
    const blobs = prepared.flatMap((p) => (p.ok ? [p.blob] : []));
    const results = blobs.length > 0 ? await this.guard(this.remote.classifyMany(blobs, k)) : [];
    const memory = await this.memory();
    let next = 0;
    return prepared.map((p) =>
      p.ok ? results[next++]! : { ok: false as const, code: p.code, message: p.message, memory },
    );
  }
  async inspect(image: Blob, options: FeatureMapOptions, camClass?: number) {
    return this.guard(this.remote.inspect(await prepareImageForEngine(image), options, camClass));
  }
  renderFeatureMaps(options: FeatureMapOptions) {
    return this.guard(this.remote.renderFeatureMaps(options));
  }
  renderCam(classIndex: number) {
    return this.guard(this.remote.renderCam(classIndex));
  }
  benchmark(options: BenchOptions) {
    return this.guard(this.remote.benchmark(options));
  }
  memory() {
    return this.guard(this.remote.memory());
  }
  async dispose() {
    // Retiring it ourselves is not a fault: stop watching first.
    this.stopWatching();
    this.faultHandler = null;
    try {
      if (!this.faultReason) await this.guard(this.remote.dispose());
    } finally {
      this.remote[releaseProxy]();
      this.worker.terminate();
    }
  }
}

// The WebGL renderer seen on the last visit, keyed by the browser build (a new browser or driver setup
// usually comes with a new user agent). Storage may be unavailable (privacy modes): then we just probe.
const RENDERER_KEY = 'resnet-explorer:webgl-renderer';

function readRendererHint(): string | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(RENDERER_KEY) ?? 'null') as {
      userAgent?: string;
      renderer?: string;
    } | null;
    return saved?.userAgent === navigator.userAgent ? saved.renderer : undefined;
  } catch {
    return undefined;
  }
}

function rememberRenderer(renderer: string | undefined): void {
  if (!renderer) return;
  try {
    localStorage.setItem(RENDERER_KEY, JSON.stringify({ userAgent: navigator.userAgent, renderer }));
  } catch {
    /* not persisted: the next visit probes again */
  }
}

/** Generous: a software-WebGL start on a busy 2-core machine takes a few seconds. */
const BACKEND_START_TIMEOUT_MS = 60_000;

function canUseWorker(): boolean {
  return typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined';
}

async function startInWorker(requested: BackendChoice): Promise<StartedEngine | { failure: string }> {
  const lockName = lifeLockName();
  const worker = new Worker(new URL('../worker/inference.worker.ts', import.meta.url), {
    type: 'module',
    name: lockName,
  });
  const engine = new WorkerEngine(worker, wrap<EngineApi>(worker), lockName);
  try {
    // A backend whose start hangs (e.g. WASM threads whose workers a policy blocks) must not leave the page
    // loading forever: give up on this worker and let the caller fall back.
    const init = await Promise.race([
      engine.initBackend(requested, readRendererHint()),
      new Promise<never>((_, reject) =>
        setTimeout(
          () =>
            reject(
              new Error(`the ${requested} backend did not start within ${BACKEND_START_TIMEOUT_MS / 1000} s`),
            ),
          BACKEND_START_TIMEOUT_MS,
        ),
      ),
    ]);
    if (init.ok) {
      const { ok: _ok, ...backend } = init;
      rememberRenderer(backend.probedRenderer);
      engine.watch();
      return { engine, backend };
    }
    await engine.dispose();
    return { failure: init.reason };
  } catch (err) {
    worker.terminate();
    return { failure: err instanceof Error ? err.message : String(err) };
  }
}

async function startOnMainThread(requested: BackendChoice): Promise<StartedEngine | { failure: string }> {
  // Loaded only when needed, so a page whose worker works never parses TF.js on the main thread.
  const { InferenceEngine } = await import('../worker/engine');
  const engine = new InferenceEngine('main');
  const init = await engine.initBackend(requested, readRendererHint());
  if (init.ok) {
    const { ok: _ok, ...backend } = init;
    rememberRenderer(backend.probedRenderer);
    return { engine, backend };
  }
  return { failure: init.reason };
}

/**
 * Starts inference on the requested backend: in a dedicated worker when the browser can run that backend
 * there, otherwise on the main thread. If neither works, falls back to another backend and says so;
 * the page always shows what actually runs.
 */
export async function startEngine(requested: BackendChoice): Promise<StartedEngine> {
  const failures: string[] = [];
  if (canUseWorker()) {
    const started = await startInWorker(requested);
    if ('engine' in started) return started;
    failures.push(`worker: ${started.failure}`);
  } else {
    failures.push('worker: this browser has no Worker with OffscreenCanvas');
  }
  const main = await startOnMainThread(requested);
  if ('engine' in main) {
    return {
      ...main,
      backend: { ...main.backend, note: `Running on the main thread (${failures.join('; ')})` },
    };
  }
  failures.push(`main thread: ${main.failure}`);
  for (const fallback of ['wasm', 'cpu'] as const) {
    if (fallback === requested) continue;
    const started = canUseWorker() ? await startInWorker(fallback) : await startOnMainThread(fallback);
    if ('engine' in started) {
      return {
        ...started,
        backend: {
          ...started.backend,
          requested,
          note: `${requested} is unavailable (${failures.join('; ')})`,
        },
      };
    }
    failures.push(`${fallback}: ${started.failure}`);
  }
  throw new Error(`No TensorFlow.js backend could start: ${failures.join('; ')}`);
}
