/**
 * The engine the page talks to (EngineApi): it owns the TF.js backend and the active classifier, and runs one
 * request at a time. It lives in the inference worker; the page reaches it through client/engineClient.ts.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { Classifier } from '../model/classifier';
import { loadClassifier } from '../model/loadClassifier';
import type { ExplainMap, ExplainRequest, FaithfulnessCurves, SanityResult } from '../shared/explain';
import { MAX_TOP_K, clampTopK } from '../shared/predictions';
import type { Prediction } from '../shared/predictions';
import type { OnProgress } from '../shared/progress';
import type {
  BackendChoice,
  BackendInitResult,
  BenchOptions,
  BenchResult,
  CamRender,
  ClassifyResult,
  ComparedCam,
  EngineApi,
  EngineImage,
  ExportedModel,
  FaithfulnessRequest,
  SanityRequest,
  FeatureMapOptions,
  FrameResult,
  InspectResult,
  MemoryInfo,
  ModelInfo,
  ModelSource,
  StageRender,
  TestHoldPoint,
} from '../shared/protocol';
import { SerialQueue } from '../shared/serialQueue';
import { initBackend, isWebGLContextLost, watchWebGLContextLoss } from './backend';
import { CropCache } from './cropCache';
import {
  ImageDecodeError,
  cropBitmap,
  decodeAndCrop,
  encodeThumbnail,
  videoFrameBitmap,
  warmUpDecoding,
} from './decodeImage';
import type { CroppedImage } from './decodeImage';
import { drawInput, transferBitmaps } from './drawInspection';
import type { RunControl } from '../explain/runControl';
import { Explanations } from './explanations';
import type { ExplanationKind } from './explanations';
import { Inspection } from './inspection';
import { TestGate } from './testGate';
import { Thumbnails } from './thumbnails';

function memory(): MemoryInfo {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

const CONTEXT_LOST = 'The GPU (WebGL) context was lost, e.g. by a driver reset.';

/** Crops kept for Look inside: a screenful of cards, about 6 MB. */
const KEPT_CROPS = 32;
/** Thumbnails waiting for the page to ask: many batches' worth, at most about 14 MB. */
const WAITING_THUMBNAILS = 128;

export class InferenceEngine implements EngineApi {
  private classifier: Classifier | null = null;
  /** Compare mode's second slot: one model beside the active one, so memory holds two models at most. */
  private compared: { id: string; classifier: Classifier } | null = null;
  private inspection: Inspection | null = null;
  private readonly crops = new CropCache(KEPT_CROPS);
  private readonly thumbnails = new Thumbnails<ImageBitmap, Blob>(WAITING_THUMBNAILS, encodeThumbnail);
  private readonly queue = new SerialQueue();
  private faultHandler: ((reason: string) => void) | null = null;
  private readonly testGate = new TestGate();
  private readonly explanations = new Explanations();

  initBackend(requested: BackendChoice, rendererHint?: string): Promise<BackendInitResult> {
    return this.queue.run(async () => {
      const result = await initBackend(requested, rendererHint);
      if (result.ok) watchWebGLContextLoss(() => this.faultHandler?.(CONTEXT_LOST));
      return result;
    });
  }

  onFault(handler: (reason: string) => void): Promise<void> {
    this.faultHandler = handler;
    return Promise.resolve();
  }

  setTestHold(points: readonly TestHoldPoint[], onHeld: (point: TestHoldPoint) => void): Promise<void> {
    this.testGate.set(points, onHeld);
    return Promise.resolve();
  }

  /**
   * The new classifier is complete and warmed up before the old one is let go of, so if loading fails the
   * active model keeps working, untouched.
   */
  loadModel(source: ModelSource, onProgress: OnProgress): Promise<ModelInfo> {
    // An explanation of the old model would hold the queue for nothing: its answer is stale once this loads.
    this.explanations.cancelAll();
    return this.queue.run(async () => {
      await this.testGate.pass('load');
      const started = performance.now();
      const next = await loadClassifier(source, { onProgress });
      try {
        await warmUpDecoding(next.preprocess);
      } catch {
        // Only a warm-up: a browser that cannot encode JPEG here still decodes the user's images.
      }
      this.classifier?.dispose();
      this.classifier = next;
      this.inspection = null;
      return {
        summary: next.summary,
        weights: next.weights,
        memory: memory(),
        buildMs: performance.now() - started,
        ...(next.notice ? { notice: next.notice } : {}),
      };
    });
  }

  exportModel(): Promise<ExportedModel> {
    return this.queue.run(() => this.requireClassifier().exportLayers());
  }

  /**
   * Decodes each image (a bad one gets its own error and does not affect the others), then classifies all the
   * good ones in one batched pass.
   */
  classify(images: readonly EngineImage[], k: number = MAX_TOP_K): Promise<ClassifyResult[]> {
    return this.queue.run(() => this.classifyBy(this.classifier, images, k, { withThumbnails: true }));
  }

  /** Not queued: a small encode between batches, which must not wait for the next batch to finish. */
  thumbnail(imageId: string): Promise<Blob | null> {
    return this.thumbnails.take(imageId);
  }

  classifyFrame(frame: ImageBitmap | VideoFrame, k: number, withCam: boolean): Promise<FrameResult> {
    return this.queue
      .run(async () => {
        const classifier = this.requireClassifier();
        const started = performance.now();
        const fromTrack = !(frame instanceof ImageBitmap);
        const bitmap = fromTrack ? await videoFrameBitmap(frame) : frame;
        let rgba: Uint8ClampedArray;
        try {
          rgba = await cropBitmap(bitmap, classifier.preprocess);
        } catch (err) {
          bitmap.close();
          throw err;
        }
        // A track's frame goes back as the picture its answer is for (the page shows it); a grab of the page's
        // own <video> is not needed there.
        const picture = fromTrack ? bitmap : undefined;
        if (!fromTrack) bitmap.close();
        try {
          const inferStart = performance.now();
          let predictions: Prediction[];
          let cam: CamRender | undefined;
          if (withCam) {
            const inspected = await classifier.inspect(rgba, clampTopK(k));
            predictions = inspected.predictions;
            // Its own Inspection, not kept: Look inside stays on the image the user opened.
            cam = await new Inspection(classifier, inspected.stages, rgba).drawCam(
              predictions[0]!.classIndex,
            );
          } else {
            predictions = (await classifier.classify([rgba], clampTopK(k)))[0]!;
          }
          if (isWebGLContextLost()) {
            this.faultHandler?.(CONTEXT_LOST);
            throw new Error('The GPU (WebGL) context was lost during classification.');
          }
          const now = performance.now();
          const result: FrameResult = {
            variant: classifier.summary.variant,
            predictions,
            inferenceMs: now - inferStart,
            totalMs: now - started,
            ...(cam ? { cam } : {}),
            ...(picture ? { picture } : {}),
            memory: memory(),
          };
          return transferBitmaps(result, [...(cam ? [cam.bitmap] : []), ...(picture ? [picture] : [])]);
        } catch (err) {
          picture?.close();
          throw err;
        }
      })
      .finally(() => frame.close());
  }

  inspect(image: EngineImage, options: FeatureMapOptions, camClass?: number): Promise<InspectResult> {
    return this.queue.run(async () => {
      const classifier = this.requireClassifier();
      const started = performance.now();
      const kept = this.crops.get(image.id, classifier.preprocess);
      const rgba = kept ?? (await decodeAndCrop(image.blob, classifier.preprocess)).rgba;
      if (!kept) this.crops.set(image.id, classifier.preprocess, rgba);
      await this.testGate.pass('forward');
      const { stages, predictions } = await classifier.inspect(rgba, MAX_TOP_K);
      this.inspection = new Inspection(classifier, stages, rgba);
      const input = drawInput(rgba, classifier.preprocess);
      const renders = this.inspection.drawStages(options);
      const cam = await this.inspection.drawCam(camClass ?? predictions[0]!.classIndex);
      const result: InspectResult = {
        input,
        stages: renders,
        predictions,
        cam,
        inspectMs: performance.now() - started,
        decoded: !kept,
        memory: memory(),
      };
      return transferBitmaps(result, [input, cam.bitmap, ...renders.map((r) => r.bitmap)]);
    });
  }

  renderFeatureMaps(options: FeatureMapOptions): Promise<StageRender[]> {
    return this.queue.run(async () => {
      const renders = this.requireInspection().drawStages(options);
      return transferBitmaps(
        renders,
        renders.map((r) => r.bitmap),
      );
    });
  }

  renderCam(classIndex: number): Promise<CamRender> {
    return this.queue.run(async () => {
      const cam = await this.requireInspection().drawCam(classIndex);
      return transferBitmaps(cam, [cam.bitmap]);
    });
  }

  explain(request: ExplainRequest, onProgress: OnProgress): Promise<ExplainMap[]> {
    return this.explaining(
      'explain',
      async (inspection, control) => {
        const maps = await this.explanations.explain(inspection, request, control);
        return transferBitmaps(
          maps,
          maps.map((m) => m.bitmap),
        );
      },
      onProgress,
    );
  }

  faithfulness(request: FaithfulnessRequest, onProgress: OnProgress): Promise<FaithfulnessCurves[]> {
    return this.explaining(
      'faithfulness',
      (inspection, control) => this.explanations.faithfulness(inspection, request, control),
      onProgress,
    );
  }

  sanityCheck(request: SanityRequest, onProgress: OnProgress): Promise<SanityResult> {
    return this.explaining(
      'sanity',
      async (inspection, control) => {
        const result = await this.explanations.sanityCheck(inspection, request, control);
        return transferBitmaps(
          result,
          result.maps.map((m) => m.bitmap),
        );
      },
      onProgress,
    );
  }

  /**
   * An explanation request of one kind: it supersedes the older one of that kind at once (before queueing behind
   * it), then runs in the engine's turn on the inspected image.
   */
  private explaining<T>(
    kind: ExplanationKind,
    run: (inspection: Inspection, control: RunControl) => Promise<T>,
    onProgress: OnProgress,
  ): Promise<T> {
    const signal = this.explanations.supersede(kind);
    return this.queue
      .run(() =>
        run(this.requireInspection(), { signal, onProgress, pause: () => this.testGate.pass('explain') }),
      )
      .finally(() => this.explanations.finish(kind, signal));
  }

  /** Not queued: it must reach the run it cancels, which holds the queue. */
  cancelExplain(): Promise<void> {
    this.explanations.cancelAll();
    return Promise.resolve();
  }

  loadCompared(id: string, source: ModelSource, onProgress: OnProgress): Promise<ModelInfo> {
    return this.queue.run(async () => {
      if (this.compared?.id !== id) {
        // The old one goes first: two compared models at once would make three in memory.
        this.compared?.classifier.dispose();
        this.compared = null;
        await this.testGate.pass('load');
        this.compared = { id, classifier: await loadClassifier(source, { onProgress }) };
      }
      const { classifier } = this.compared;
      return { summary: classifier.summary, weights: classifier.weights, memory: memory(), buildMs: 0 };
    });
  }

  comparedModelId(): Promise<string | null> {
    return Promise.resolve(this.compared?.id ?? null);
  }

  classifyCompared(images: readonly EngineImage[], k: number = MAX_TOP_K): Promise<ClassifyResult[]> {
    return this.queue.run(() =>
      this.classifyBy(this.requireCompared(), images, k, { withThumbnails: false }),
    );
  }

  camCompared(image: EngineImage, classIndex?: number): Promise<ComparedCam> {
    return this.queue.run(async () => {
      const classifier = this.requireCompared();
      const kept = this.crops.get(image.id, classifier.preprocess);
      const rgba = kept ?? (await decodeAndCrop(image.blob, classifier.preprocess)).rgba;
      if (!kept) this.crops.set(image.id, classifier.preprocess, rgba);
      await this.testGate.pass('forward');
      const { stages, predictions } = await classifier.inspect(rgba, MAX_TOP_K);
      // Not kept as the inspection: Look inside stays on the active model's image.
      const cam = await new Inspection(classifier, stages, rgba).drawCam(
        classIndex ?? predictions[0]!.classIndex,
      );
      return transferBitmaps({ cam, predictions, memory: memory() }, [cam.bitmap]);
    });
  }

  releaseCompared(): Promise<void> {
    return this.queue.run(async () => {
      this.compared?.classifier.dispose();
      this.compared = null;
    });
  }

  benchmark(options: BenchOptions): Promise<BenchResult> {
    return this.queue.run(() => this.requireClassifier().benchmark(options));
  }

  memory(): Promise<MemoryInfo> {
    return Promise.resolve(memory());
  }

  dispose(): Promise<void> {
    this.explanations.cancelAll();
    return this.queue.run(async () => {
      this.classifier?.dispose();
      this.classifier = null;
      this.compared?.classifier.dispose();
      this.compared = null;
      this.inspection = null;
      this.crops.clear();
      this.thumbnails.clear();
    });
  }

  private async classifyBy(
    classifier: Classifier | null,
    images: readonly EngineImage[],
    k: number,
    { withThumbnails }: { withThumbnails: boolean },
  ): Promise<ClassifyResult[]> {
    if (!classifier) {
      return images.map(() => ({
        ok: false as const,
        code: 'internal' as const,
        message: 'No model is loaded yet.',
        memory: memory(),
      }));
    }
    const started = performance.now();
    const decoded = await Promise.all(
      images.map(({ blob }) =>
        decodeAndCrop(blob, classifier.preprocess, { withThumbnail: withThumbnails }).then(
          (crop) => ({ ok: true as const, crop }),
          (err: unknown) => ({ ok: false as const, err }),
        ),
      ),
    );
    decoded.forEach(
      (d, i) => d.ok && d.crop.thumbnail && this.thumbnails.put(images[i]!.id, d.crop.thumbnail),
    );
    const crops = decoded.flatMap((d) => (d.ok ? [d.crop] : []));
    let predictions: Prediction[][] = [];
    let inferenceMs = 0;
    let failure: string | null = null;
    if (crops.length > 0) {
      await this.testGate.pass('forward');
      const inferStart = performance.now();
      try {
        predictions = await classifier.classify(
          crops.map((c) => c.rgba),
          clampTopK(k),
        );
      } catch (err) {
        failure = `Classification failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (isWebGLContextLost()) {
        // Whatever came back was computed on a dead context; the page replaces the engine and retries.
        this.faultHandler?.(CONTEXT_LOST);
        throw new Error('The GPU (WebGL) context was lost during classification.');
      }
      inferenceMs = performance.now() - inferStart;
    }
    decoded.forEach((d, i) => d.ok && this.crops.set(images[i]!.id, classifier.preprocess, d.crop.rgba));
    const totalMs = performance.now() - started;
    let next = 0;
    return decoded.map((d): ClassifyResult => {
      if (!d.ok) return decodeError(d.err);
      const index = next++;
      if (failure) return { ok: false, code: 'internal', message: failure, memory: memory() };
      return success(d.crop, {
        variant: classifier.summary.variant,
        predictions: predictions[index]!,
        // Per image: the batch's time shared out, so a card's number means the same at any batch size.
        totalMs: totalMs / images.length,
        inferenceMs: inferenceMs / crops.length,
      });
    });
  }

  private requireCompared(): Classifier {
    if (!this.compared) throw new Error('No model is loaded for comparison.');
    return this.compared.classifier;
  }

  private requireClassifier(): Classifier {
    if (!this.classifier) throw new Error('No model is loaded yet.');
    return this.classifier;
  }

  private requireInspection(): Inspection {
    if (!this.inspection || this.inspection.classifier !== this.classifier) {
      throw new Error('No image is being inspected with the current model.');
    }
    return this.inspection;
  }
}

function decodeError(err: unknown): ClassifyResult {
  if (err instanceof ImageDecodeError)
    return { ok: false, code: err.code, message: err.message, memory: memory() };
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, code: 'internal', message: `Decoding failed: ${message}`, memory: memory() };
}

function success(
  crop: CroppedImage,
  result: Pick<Extract<ClassifyResult, { ok: true }>, 'variant' | 'predictions' | 'totalMs' | 'inferenceMs'>,
): ClassifyResult {
  return {
    ok: true,
    ...result,
    sourceWidth: crop.sourceWidth,
    sourceHeight: crop.sourceHeight,
    ...(crop.notice ? { notice: crop.notice } : {}),
    memory: memory(),
  };
}
