import * as tf from '@tensorflow/tfjs-core';

import { ResNetClassifier } from '../model/classifier';
import { MAX_TOP_K, clampTopK } from '../model/topK';
import { exportLayersModel } from '../model/weights/tfjsFormat';
import { initBackend } from './backend';
import { ImageDecodeError, decodeAndCrop } from './decodeImage';
import { rgbaToNormalizedRGB } from './preprocess';
import type {
  BackendInitResult,
  BackendName,
  ClassifyResult,
  EngineApi,
  ExportedModel,
  LoadModelRequest,
  LoadProgress,
  MemoryInfo,
  ModelInfo,
  WeightsPayload,
} from './protocol';
import { classifierFromWeightFiles } from './loadWeightFiles';
import { SerialQueue } from './serialQueue';

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
  private readonly queue = new SerialQueue();

  constructor(private readonly thread: 'worker' | 'main') {}

  initBackend(requested: BackendName): Promise<BackendInitResult> {
    return this.queue.run(() => initBackend(requested, this.thread));
  }

  loadModel(request: LoadModelRequest, onProgress: (p: LoadProgress) => void): Promise<ModelInfo> {
    return this.activate(() =>
      ResNetClassifier.load({
        variant: request.variant,
        flavor: request.flavor,
        onProgress: (fraction, message) => onProgress({ fraction, message }),
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
      return exportLayersModel(classifier.model, {
        variant: classifier.variant,
        flavor: classifier.flavor,
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
      this.classifier?.dispose();
      this.classifier = next;
      return {
        summary: next.summary,
        weights: { source: next.weights.kind, name: next.weights.name },
        memory: memory(),
        buildMs: performance.now() - started,
      };
    });
  }

  classify(image: Blob, k: number = MAX_TOP_K): Promise<ClassifyResult> {
    return this.queue.run(async () => {
      const classifier = this.classifier;
      if (!classifier) {
        return { ok: false, code: 'internal', message: 'No model is loaded yet.', memory: memory() };
      }
      const started = performance.now();
      try {
        const crop = await decodeAndCrop(image, classifier.preprocess);
        const normalized = rgbaToNormalizedRGB(crop.rgba, classifier.preprocess);
        const inferStart = performance.now();
        const predictions = await classifier.classifyPixels(normalized, clampTopK(k));
        const now = performance.now();
        return {
          ok: true,
          variant: classifier.variant,
          predictions,
          totalMs: now - started,
          inferenceMs: now - inferStart,
          sourceWidth: crop.sourceWidth,
          sourceHeight: crop.sourceHeight,
          memory: memory(),
        };
      } catch (err) {
        if (err instanceof ImageDecodeError) {
          return { ok: false, code: err.code, message: err.message, memory: memory() };
        }
        const message = err instanceof Error ? err.message : String(err);
        return {
          ok: false,
          code: 'internal',
          message: `Classification failed: ${message}`,
          memory: memory(),
        };
      }
    });
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
