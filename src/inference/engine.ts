import * as tf from '@tensorflow/tfjs-core';

import { ResNetClassifier } from '../model/classifier';
import { MAX_TOP_K, clampTopK } from '../model/topK';
import { VARIANTS } from '../model/variants';
import { initBackend } from './backend';
import { ImageDecodeError, decodeAndCrop } from './decodeImage';
import { rgbaToNormalizedRGB } from './preprocess';
import type {
  BackendInitResult,
  BackendName,
  ClassifyResult,
  EngineApi,
  LoadModelRequest,
  LoadProgress,
  MemoryInfo,
  ModelInfo,
} from './protocol';
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
    return this.queue.run(async () => {
      const started = performance.now();
      // Build the new model completely before letting go of the old one: if building fails, the active
      // model keeps working.
      const next = await ResNetClassifier.load({
        variant: request.variant,
        flavor: request.flavor,
        onProgress: (fraction, message) => onProgress({ fraction, message }),
        // On the main thread, give the page a chance to paint progress between blocks.
        yieldToEventLoop: this.thread === 'main' ? nextFrame : undefined,
      });
      this.classifier?.dispose();
      this.classifier = next;
      return {
        summary: next.summary,
        weights: {
          source: next.weights.kind,
          seed: next.weights.seed,
          name: `${VARIANTS[request.variant].label}, random init (seed ${next.weights.seed})`,
        },
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
