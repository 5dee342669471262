import * as tf from '@tensorflow/tfjs-core';

import { ResNetClassifier } from '../model/classifier';
import type { StageActivation } from '../model/classifier';
import { MAX_TOP_K, clampTopK } from '../model/topK';
import type { Prediction } from '../model/topK';
import { isBuildableVariant } from '../shared/variants';
import { exportLayersModel } from '../model/weights/tfjsFormat';
import { initBackend, isWebGLContextLost, watchWebGLContextLoss } from './backend';
import { ImageDecodeError, decodeAndCrop, warmUpDecoding } from './decodeImage';
import { benchmarkClassifier } from '../model/benchmark';
import type { BenchOptions, BenchResult } from '../model/benchmark';
import { loadBundledResNet50 } from '../model/bundledResNet50';
import { drawCam, drawInput, drawStages, transferBitmaps } from './drawInspection';
import type {
  BackendInitResult,
  BackendChoice,
  CamRender,
  FeatureMapOptions,
  InspectResult,
  StageRender,
  ClassifyResult,
  EngineApi,
  ExportedModel,
  LoadModelRequest,
  LoadProgress,
  MemoryInfo,
  ModelInfo,
  WeightsPayload,
} from '../shared/protocol';
import { classifierFromWeightFiles } from '../model/weights/loadWeightFiles';
import { SerialQueue } from '../shared/serialQueue';

function memory(): MemoryInfo {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Owns TF.js state: the backend and the active classifier. Runs inside the inference worker, or on the
 * main thread when the worker cannot get the requested backend.
 */
export class InferenceEngine implements EngineApi {
  private classifier: ResNetClassifier | null = null;
  /** The activations of the one image last inspected, kept as arrays for re-drawing; cleared on model change. */
  private inspection: { classifier: ResNetClassifier; stages: StageActivation[] } | null = null;
  private readonly queue = new SerialQueue();
  private faultHandler: ((reason: string) => void) | null = null;

  constructor(private readonly thread: 'worker' | 'main') {}

  initBackend(requested: BackendChoice, rendererHint?: string): Promise<BackendInitResult> {
    return this.queue.run(async () => {
      const result = await initBackend(requested, this.thread, rendererHint);
      if (result.ok) {
        watchWebGLContextLoss(() =>
          this.faultHandler?.('The GPU (WebGL) context was lost, e.g. by a driver reset.'),
        );
      }
      return result;
    });
  }

  onFault(handler: (reason: string) => void): Promise<void> {
    this.faultHandler = handler;
    return Promise.resolve();
  }

  loadModel(request: LoadModelRequest, onProgress: (p: LoadProgress) => void): Promise<ModelInfo> {
    const report = (fraction: number, message: string) => onProgress({ fraction, message });
    const { variant } = request;
    if (!isBuildableVariant(variant)) {
      if (!request.modelUrl) return Promise.reject(new Error(`${variant} needs the URL of its model.json.`));
      const url = request.modelUrl;
      return this.activate(async () =>
        ResNetClassifier.fromKerasResNet50(await loadBundledResNet50(url, report), report),
      );
    }
    return this.activate(() =>
      ResNetClassifier.load({
        variant,
        flavor: request.flavor,
        onProgress: report,
        // On the main thread, give the page a chance to paint progress between blocks.
        yieldToEventLoop: this.thread === 'main' ? nextFrame : undefined,
      }),
    );
  }

  loadWeights(payload: WeightsPayload, onProgress: (p: LoadProgress) => void): Promise<ModelInfo> {
    return this.activate(() =>
      classifierFromWeightFiles(payload, (fraction, message) => onProgress({ fraction, message })),
    );
  }

  exportModel(): Promise<ExportedModel> {
    return this.queue.run(async () => {
      const classifier = this.classifier;
      if (!classifier) throw new Error('No model is loaded yet.');
      const { variant, flavor } = classifier;
      if (!isBuildableVariant(variant) || flavor === 'keras') {
        throw new Error(`${variant} is served as a TF.js model already; only ResNet18/34 are exported.`);
      }
      return exportLayersModel(classifier.model, {
        variant,
        flavor,
        weightsName: classifier.weights.name,
      });
    });
  }

  /**
   * Makes a new classifier active. It is built completely before the old one is let go of, so if building
   * fails the active model keeps working, untouched.
   */
  private activate(makeClassifier: () => Promise<ResNetClassifier>): Promise<ModelInfo> {
    return this.queue.run(async () => {
      const started = performance.now();
      const next = await makeClassifier();
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
        weights: { source: next.weights.kind, name: next.weights.name },
        memory: memory(),
        buildMs: performance.now() - started,
      };
    });
  }

  classify(image: Blob, k: number = MAX_TOP_K): Promise<ClassifyResult> {
    return this.classifyMany([image], k).then((results) => results[0]!);
  }

  /**
   * Decodes each image (a bad one gets its own error and does not affect the others), then classifies all
   * the good ones in one batched pass.
   */
  classifyMany(images: readonly Blob[], k: number = MAX_TOP_K): Promise<ClassifyResult[]> {
    return this.queue.run(async () => {
      const classifier = this.classifier;
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
        images.map((image) =>
          decodeAndCrop(image, classifier.preprocess).then(
            (crop) => ({ ok: true as const, crop }),
            (err: unknown) => ({ ok: false as const, err }),
          ),
        ),
      );
      const crops = decoded.flatMap((d) => (d.ok ? [d.crop] : []));
      let predictions: Prediction[][] = [];
      let inferenceMs = 0;
      let failure: string | null = null;
      if (crops.length > 0) {
        const inferStart = performance.now();
        try {
          predictions = await classifier.classifyCrops(
            crops.map((c) => c.rgba),
            clampTopK(k),
          );
        } catch (err) {
          failure = `Classification failed: ${err instanceof Error ? err.message : String(err)}`;
        }
        if (isWebGLContextLost()) {
          // Whatever came back was computed on a dead context; the page replaces the engine and retries.
          this.faultHandler?.('The GPU (WebGL) context was lost, e.g. by a driver reset.');
          throw new Error('The GPU (WebGL) context was lost during classification.');
        }
        inferenceMs = performance.now() - inferStart;
      }
      const totalMs = performance.now() - started;
      let next = 0;
      return decoded.map((d): ClassifyResult => {
        if (!d.ok) {
          if (d.err instanceof ImageDecodeError) {
            return { ok: false, code: d.err.code, message: d.err.message, memory: memory() };
          }
          const message = d.err instanceof Error ? d.err.message : String(d.err);
          return { ok: false, code: 'internal', message: `Decoding failed: ${message}`, memory: memory() };
        }
        const index = next++;
        if (failure) return { ok: false, code: 'internal', message: failure, memory: memory() };
        const { crop } = d;
        return {
          ok: true,
          variant: classifier.variant,
          predictions: predictions[index]!,
          // Per image: the batch's time shared out, so a card's number means the same at any batch size.
          totalMs: totalMs / images.length,
          inferenceMs: inferenceMs / crops.length,
          sourceWidth: crop.sourceWidth,
          sourceHeight: crop.sourceHeight,
          ...(crop.notice ? { notice: crop.notice } : {}),
          ...(crop.thumbnail ? { thumbnail: crop.thumbnail } : {}),
          memory: memory(),
        };
      });
    });
  }

  inspect(image: Blob, options: FeatureMapOptions, camClass?: number): Promise<InspectResult> {
    return this.queue.run(async () => {
      const classifier = this.requireClassifier();
      const started = performance.now();
      const crop = await decodeAndCrop(image, classifier.preprocess);
      const { stages, predictions } = await classifier.inspect(crop.rgba, MAX_TOP_K);
      this.inspection = { classifier, stages };
      const input = drawInput(crop.rgba, classifier.preprocess);
      const renders = drawStages(stages, options);
      const cam = await this.drawCamFor(camClass ?? predictions[0]!.classIndex);
      const result: InspectResult = {
        input,
        stages: renders,
        predictions,
        cam,
        inspectMs: performance.now() - started,
        memory: memory(),
      };
      return transferBitmaps(result, [input, cam.bitmap, ...renders.map((r) => r.bitmap)]);
    });
  }

  renderFeatureMaps(options: FeatureMapOptions): Promise<StageRender[]> {
    return this.queue.run(async () => {
      const renders = drawStages(this.requireInspection().stages, options);
      return transferBitmaps(
        renders,
        renders.map((r) => r.bitmap),
      );
    });
  }

  renderCam(classIndex: number): Promise<CamRender> {
    return this.queue.run(async () => {
      const cam = await this.drawCamFor(classIndex);
      return transferBitmaps(cam, [cam.bitmap]);
    });
  }

  private async drawCamFor(classIndex: number): Promise<CamRender> {
    const { classifier, stages } = this.requireInspection();
    const fc = await classifier.fcKernel();
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= fc.classes) {
      throw new RangeError(`Class ${classIndex} does not exist (0..${fc.classes - 1}).`);
    }
    return drawCam(stages.at(-1)!.map, fc, classIndex, classifier.preprocess.cropSize);
  }

  benchmark(options: BenchOptions): Promise<BenchResult> {
    return this.queue.run(() => benchmarkClassifier(this.requireClassifier(), options));
  }

  private requireClassifier(): ResNetClassifier {
    if (!this.classifier) throw new Error('No model is loaded yet.');
    return this.classifier;
  }

  private requireInspection(): NonNullable<InferenceEngine['inspection']> {
    if (!this.inspection || this.inspection.classifier !== this.classifier) {
      throw new Error('No image is being inspected with the current model.');
    }
    return this.inspection;
  }

  memory(): Promise<MemoryInfo> {
    return Promise.resolve(memory());
  }

  dispose(): Promise<void> {
    return this.queue.run(async () => {
      this.classifier?.dispose();
      this.classifier = null;
    });
  }
}
