/**
 * The page's handle on the inference worker: starts it, and wraps its RPC in EngineApi, adding what only the page
 * can do (rasterizing SVG), fanning its one event channel out to listeners, and noticing when the worker dies
 * (every call in flight then rejects).
 */
import { proxy, releaseProxy, transfer, wrap } from 'comlink';
import type { Remote } from 'comlink';

import type { ExplainRequest } from '../shared/explain';
import type {
  BackendChoice,
  BackendInfo,
  BenchOptions,
  ClassifyOptions,
  ClassifyResult,
  DatasetExamplesRequest,
  EngineApi,
  EngineEvent,
  EngineImage,
  FaithfulnessRequest,
  FeatureVisRequest,
  FeatureMapOptions,
  JobId,
  ModelHandle,
  ModelSource,
  SanityRequest,
  TaughtHead,
  TestHoldPoint,
  WorkerEngineApi,
} from '../shared/protocol';
import type { FeaturesOptions, TeachRequest } from '../shared/teach/teachJob';
import { RENDERER_KEY } from '../shared/storageNames';
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

/**
 * A call that could not complete because its engine was retired on purpose (a backend change replaced it): not a
 * fault of the image, which simply goes again on the new engine.
 */
export class EngineRetiredError extends Error {
  constructor() {
    super('The engine was replaced while it was working on this.');
    this.name = 'EngineRetiredError';
  }
}

/** The engine's answer for an SVG: render it here, then ask again. */
const isPageRender = (result: ClassifyResult | undefined) =>
  result !== undefined && !result.ok && result.code === 'needs-page-render';

class WorkerEngine implements EngineApi {
  private faultReason: string | null = null;
  private retired = false;
  private rejectInFlight!: (err: EngineFaultError | EngineRetiredError) => void;
  /** Rejects when the engine fails or is retired; every call races it, so nothing waits forever on a dead worker. */
  private readonly failed = new Promise<never>((_, reject) => {
    this.rejectInFlight = reject;
  });
  private faultHandler: ((reason: string) => void) | null = null;
  private stopWatching: () => void = () => undefined;
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  constructor(
    private readonly worker: Worker,
    private readonly remote: Remote<WorkerEngineApi>,
    private readonly lockName: string,
  ) {
    this.failed.catch(() => undefined); // observed through the races below
  }

  /** The worker's one event sink, fanned out here to every listener on the page. */
  listen(): Promise<void> {
    const fanOut = proxy((event: EngineEvent) => {
      for (const listener of this.listeners) listener(event);
    });
    return this.guard(() => this.remote.setEventSink(fanOut));
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
  private guard<P extends PromiseLike<unknown>>(call: () => P): Promise<Awaited<P>> {
    if (this.faultReason) return Promise.reject(new EngineFaultError(this.faultReason));
    if (this.retired) return Promise.reject(new EngineRetiredError());
    // Made only now: a released comlink proxy throws at once (not a rejection) when called.
    return Promise.race([Promise.resolve().then(call), this.failed]) as Promise<Awaited<P>>;
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  setTestHold(points: readonly TestHoldPoint[], onHeld: (point: TestHoldPoint) => void) {
    return this.guard(() => this.remote.setTestHold(points, proxy(onHeld)));
  }
  onFault(handler: (reason: string) => void) {
    this.faultHandler = handler;
    return this.guard(() => this.remote.onFault(proxy((reason: string) => this.fail(reason))));
  }
  initBackend(requested: BackendChoice, rendererHint?: string) {
    return this.guard(() => this.remote.initBackend(requested, rendererHint));
  }
  load(source: ModelSource, job?: JobId) {
    // Weight buffers (possibly 100 MB) are handed over instead of copied: the page does not need them after.
    const buffers = source.kind === 'files' ? [...new Set(source.files.map((f) => f.data))] : [];
    return this.guard(() => this.remote.load(transfer(source, buffers), job));
  }
  release(handle: ModelHandle) {
    return this.guard(() => this.remote.release(handle));
  }
  exportModel(handle: ModelHandle) {
    return this.guard(() => this.remote.exportModel(handle));
  }
  classify(
    handle: ModelHandle,
    images: readonly EngineImage[],
    k: number,
    options?: ClassifyOptions,
  ): Promise<ClassifyResult[]> {
    return this.classifyBy((ready) => this.remote.classify(handle, ready, k, options), images);
  }
  thumbnail(imageId: string) {
    return this.guard(() => this.remote.thumbnail(imageId));
  }
  /**
   * Files go straight to the engine, which reads their headers anyway: reading one here first cost a dropped
   * photo several milliseconds before its classification even began. An SVG is the exception (a worker has no
   * SVG renderer): the engine answers `needs-page-render`, and it is rendered here to a PNG and sent again.
   */
  private async classifyBy(
    remoteClassify: (ready: EngineImage[]) => Promise<ClassifyResult[]>,
    images: readonly EngineImage[],
  ): Promise<ClassifyResult[]> {
    const results = await this.guard(() => remoteClassify([...images]));
    const svgs = images.filter((_, i) => isPageRender(results[i]));
    if (svgs.length === 0) return results;
    const rendered = await this.classifyRendered(remoteClassify, svgs);
    let next = 0;
    return results.map((result) => (isPageRender(result) ? rendered[next++]! : result));
  }

  /** SVGs rendered on the page, then classified; one that fails to render gets the engine's kind of card. */
  private async classifyRendered(
    remoteClassify: (ready: EngineImage[]) => Promise<ClassifyResult[]>,
    svgs: readonly EngineImage[],
  ): Promise<ClassifyResult[]> {
    const prepared = await Promise.all(
      svgs.map(({ id, blob }) =>
        prepareImageForEngine(blob).then(
          (ready) => ({ ok: true as const, image: { id, blob: ready } }),
          (err: unknown) => {
            if (!(err instanceof ImagePrepareError)) throw err;
            return { ok: false as const, code: err.code, message: err.message };
          },
        ),
      ),
    );
    const ready = prepared.flatMap((p) => (p.ok ? [p.image] : []));
    const results = ready.length > 0 ? await this.guard(() => remoteClassify(ready)) : [];
    let next = 0;
    return prepared.map((p): ClassifyResult => {
      if (!p.ok) return { ok: false, code: p.code, message: p.message };
      const result = results[next++]!;
      // Asked twice: whatever the engine saw, the card gets a plain answer, never this internal code.
      return isPageRender(result)
        ? { ok: false, code: 'undecodable', message: 'This SVG image could not be rendered.' }
        : result;
    });
  }
  classifyFrame(handle: ModelHandle, frame: ImageBitmap | VideoFrame, k: number, withCam: boolean) {
    // Handed over, not copied: the worker closes it once cropped.
    return this.guard(() => this.remote.classifyFrame(handle, transfer(frame, [frame]), k, withCam));
  }
  async inspect(
    handle: ModelHandle,
    image: EngineImage,
    options: FeatureMapOptions,
    camClass?: number,
    withBlocks?: boolean,
  ) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.inspect(handle, ready, options, camClass, withBlocks));
  }
  async renderFeatureMaps(handle: ModelHandle, image: EngineImage, options: FeatureMapOptions) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.renderFeatureMaps(handle, ready, options));
  }
  network(handle: ModelHandle) {
    return this.guard(() => this.remote.network(handle));
  }
  weightStats(handle: ModelHandle) {
    return this.guard(() => this.remote.weightStats(handle));
  }
  async blockDetail(handle: ModelHandle, image: EngineImage, nodeId: string, options: FeatureMapOptions) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.blockDetail(handle, ready, nodeId, options));
  }
  async blockContributions(handle: ModelHandle, image: EngineImage) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.blockContributions(handle, ready));
  }
  async blockCam(handle: ModelHandle, image: EngineImage, nodeId: string, classIndex?: number) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.blockCam(handle, ready, nodeId, classIndex));
  }
  async cam(handle: ModelHandle, image: EngineImage, classIndex?: number) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.cam(handle, ready, classIndex));
  }
  async explain(handle: ModelHandle, image: EngineImage, request: ExplainRequest, job: JobId) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.explain(handle, ready, request, job));
  }
  async faithfulness(handle: ModelHandle, image: EngineImage, request: FaithfulnessRequest, job: JobId) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.faithfulness(handle, ready, request, job));
  }
  async sanityCheck(handle: ModelHandle, image: EngineImage, request: SanityRequest, job: JobId) {
    const ready = await prepared(image);
    return this.guard(() => this.remote.sanityCheck(handle, ready, request, job));
  }
  async features(handle: ModelHandle, images: readonly EngineImage[], job: JobId, options?: FeaturesOptions) {
    // SVGs rendered here, as for Look inside: the worker cannot.
    const ready = await Promise.all(images.map(prepared));
    return this.guard(() => this.remote.features(handle, ready, job, options));
  }
  teach(handle: ModelHandle, request: TeachRequest, job: JobId) {
    // Copied, not transferred: the page keeps the features to teach again with other options.
    return this.guard(() => this.remote.teach(handle, request, job));
  }
  taughtHead(handle: ModelHandle) {
    return this.guard(() => this.remote.taughtHead(handle));
  }
  loadTaught(handle: ModelHandle, taught: TaughtHead) {
    return this.guard(() => this.remote.loadTaught(handle, taught));
  }
  featureVisualization(handle: ModelHandle, request: FeatureVisRequest, job: JobId) {
    return this.guard(() => this.remote.featureVisualization(handle, request, job));
  }
  async datasetExamples(
    handle: ModelHandle,
    images: readonly EngineImage[],
    request: DatasetExamplesRequest,
    job: JobId,
  ) {
    // SVGs rendered here, as for Look inside: the worker cannot.
    const ready = await Promise.all(images.map(prepared));
    return this.guard(() => this.remote.datasetExamples(handle, ready, request, job));
  }
  cancel(job: JobId) {
    return this.guard(() => this.remote.cancel(job));
  }
  benchmark(handle: ModelHandle, options: BenchOptions) {
    return this.guard(() => this.remote.benchmark(handle, options));
  }
  memory() {
    return this.guard(() => this.remote.memory());
  }
  async dispose() {
    // Retiring it ourselves is not a fault: stop watching first.
    this.stopWatching();
    this.faultHandler = null;
    try {
      if (!this.faultReason) await this.guard(() => this.remote.dispose());
    } finally {
      // Calls still waiting for an answer would wait forever on a terminated worker: they end now.
      this.retired = true;
      this.listeners.clear();
      this.rejectInFlight(new EngineRetiredError());
      this.remote[releaseProxy]();
      this.worker.terminate();
    }
  }
}

/** An image as the worker can read it: an SVG is rendered to a PNG here first (a worker has no SVG renderer). */
async function prepared(image: EngineImage): Promise<EngineImage> {
  return { id: image.id, blob: await prepareImageForEngine(image.blob) };
}

/**
 * The WebGL renderer seen on the last visit, keyed by the browser build (a new browser or driver setup usually
 * comes with a new user agent). Storage may be unavailable (privacy modes): then `auto` just probes.
 */
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

/**
 * Starts an inference worker on `requested`. A failure (the backend cannot run here, or does not start in time)
 * is returned, not thrown, so the caller can try another backend.
 */
export async function startWorkerEngine(
  requested: BackendChoice,
): Promise<StartedEngine | { failure: string }> {
  const lockName = lifeLockName();
  const worker = new Worker(new URL('../worker/inference.worker.ts', import.meta.url), {
    type: 'module',
    name: lockName,
  });
  const engine = new WorkerEngine(worker, wrap<WorkerEngineApi>(worker), lockName);
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
      await engine.listen();
      engine.watch();
      // A constant in production builds: this branch and the test-hooks module are left out of them.
      if (import.meta.env.MODE === 'e2e') await (await import('./testHooks')).registerEngine(engine);
      return { engine, backend };
    }
    await engine.dispose();
    return { failure: init.reason };
  } catch (err) {
    worker.terminate();
    return { failure: err instanceof Error ? err.message : String(err) };
  }
}
