import type { Colormap } from './colormaps';
import type { AtlasLayout, ChannelOrder, Normalization } from '../model/featureMaps';
import type { ModelSummary } from '../model/stageSummary';
import type { NamedBuffer } from './weightsFormat';
import type { ExportedModel } from '../model/weights/tfjsFormat';
import type { BenchOptions, BenchResult } from '../model/benchmark';
import type { Prediction } from '../model/topK';
import type { BuildFlavor, StageName, VariantId } from './variants';

/** The typed contract between the UI side and the inference engine (in a worker or on the main thread). */

export type BackendName = 'webgl' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgl', 'webgpu', 'wasm', 'cpu'];

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

/** What the user asks for: a backend, or `auto` (WebGL on a hardware GPU, WASM when WebGL is software). */
export type BackendChoice = BackendName | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_NAMES];

export function isBackendChoice(value: unknown): value is BackendChoice {
  return value === 'auto' || isBackendName(value);
}

export interface BackendInfo {
  /** The backend TF.js actually runs on. */
  name: BackendName;
  requested: BackendChoice;
  /** Why `auto` chose this backend, in words for the user. */
  reason?: string;
  /** `auto` only: the WebGL renderer the choice was based on (the page remembers it for the next visit). */
  probedRenderer?: string;
  /** Where inference runs: a dedicated worker, or the page itself as a fall-back. */
  thread: 'worker' | 'main';
  /** WebGL only: the unmasked renderer string, e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader ...))". */
  renderer?: string;
  /** WebGL only: true for software rasterizers (SwiftShader, llvmpipe). */
  softwareRenderer?: boolean;
  /** WASM only: whether the SIMD build runs, and on how many threads (1 unless the page is cross-origin isolated). */
  simd?: boolean;
  threads?: number;
  /** Why the backend or thread differs from what was asked for, in words for the user. */
  note?: string;
}

export interface BackendInitFailure {
  ok: false;
  requested: BackendChoice;
  reason: string;
}

export type BackendInitResult = ({ ok: true } & BackendInfo) | BackendInitFailure;

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
}

export interface LoadProgress {
  fraction: number;
  message: string;
}

/** `bundled`: weights the app serves itself (Keras ResNet50, fetched at install time). */
export type WeightsSourceKind = 'random' | 'file' | 'url' | 'cache' | 'bundled';

export interface ModelInfo {
  summary: ModelSummary;
  weights: { source: WeightsSourceKind; name: string };
  memory: MemoryInfo;
  buildMs: number;
}

/**
 * `unsupported`: a known image format the browser cannot decode (HEIC, TIFF, ...), named in the message;
 * `undecodable`: not an image, or a damaged one; `too-large`: beyond what can be decoded safely.
 */
export type ImageErrorCode =
  | 'empty'
  | 'undecodable'
  | 'unsupported'
  | 'too-large'
  | 'internal'
  /** The user cancelled the queue before this image's turn. */
  | 'cancelled';

export type ClassifyResult =
  | {
      ok: true;
      /** The variant that produced these predictions (the store re-queues stale ones). */
      variant: VariantId;
      predictions: Prediction[];
      /** Decode + preprocess + inference, measured in the engine. */
      totalMs: number;
      inferenceMs: number;
      sourceWidth: number;
      sourceHeight: number;
      /** Something the user should know about how the image was read ("first frame of an animated GIF"). */
      notice?: string;
      /** A small JPEG of the whole image for the card, so the page never decodes a huge original itself. */
      thumbnail?: Blob;
      memory: MemoryInfo;
    }
  | { ok: false; code: ImageErrorCode; message: string; memory: MemoryInfo };

export interface LoadModelRequest {
  variant: VariantId;
  flavor?: BuildFlavor;
  /** Absolute URL of a served model.json (ResNet50); a worker cannot resolve the page's relative URLs. */
  modelUrl?: string;
}

/** Weight files already read into memory (their buffers are transferred to the worker, not copied). */
export interface WeightsPayload {
  source: 'file' | 'url' | 'cache';
  /** What the page calls these weights: a file name or a URL. */
  name: string;
  files: NamedBuffer[];
}

export type { ExportedModel, NamedBuffer };
export type { BenchOptions, BenchResult } from '../model/benchmark';

export interface FeatureMapOptions {
  normalization: Normalization;
  colormap: Colormap;
  order: ChannelOrder;
}

/** One stage drawn as a tile atlas (in the engine, where the activations are) and sent as a bitmap. */
export interface StageRender {
  stage: StageName;
  outputShape: number[];
  channels: number;
  bitmap: ImageBitmap;
  layout: AtlasLayout;
  stats: { min: Float32Array; max: Float32Array; mean: Float32Array };
  /** Mean and (population) standard deviation over the whole stage output, for checks against PyTorch. */
  mean: number;
  std: number;
}

export interface CamRender {
  classIndex: number;
  bitmap: ImageBitmap;
}

export interface InspectResult {
  /** The exact 224x224 input the network saw, de-normalized for display. */
  input: ImageBitmap;
  stages: StageRender[];
  predictions: Prediction[];
  cam: CamRender;
  /** Decode + one multi-output forward pass + drawing every stage. */
  inspectMs: number;
  memory: MemoryInfo;
}

/**
 * What the engine exposes. Every method is async because across a worker boundary it is a message round
 * trip; the main-thread fall-back implements the same interface directly.
 */
export interface EngineApi {
  /**
   * `rendererHint`: the WebGL renderer this browser reported on an earlier visit. With it, `auto` skips
   * creating a WebGL context just to read its name (a third of a second on a software renderer).
   */
  initBackend(requested: BackendChoice, rendererHint?: string): Promise<BackendInitResult>;
  loadModel(request: LoadModelRequest, onProgress: (p: LoadProgress) => void): Promise<ModelInfo>;
  /** Parses weight files, builds the matching variant and flavor, and makes it active; the old model stays on failure. */
  loadWeights(payload: WeightsPayload, onProgress: (p: LoadProgress) => void): Promise<ModelInfo>;
  /** The active model in TF.js layers format. */
  exportModel(): Promise<ExportedModel>;
  classify(image: Blob, k: number): Promise<ClassifyResult>;
  /** Several images: each decoded on its own (errors stay per image), the good ones in one batched pass. */
  classifyMany(images: readonly Blob[], k: number): Promise<ClassifyResult[]>;
  /**
   * One forward pass over an image that yields every stage's output: draws the stages and the class activation
   * map of `camClass` (default: the top-1). Remembers the activations of this one image for re-drawing.
   */
  inspect(image: Blob, options: FeatureMapOptions, camClass?: number): Promise<InspectResult>;
  /** Re-draws the stages of the last inspected image with other options (no new forward pass). */
  renderFeatureMaps(options: FeatureMapOptions): Promise<StageRender[]>;
  /** The class activation map of the last inspected image for another class. */
  renderCam(classIndex: number): Promise<CamRender>;
  /** Timing loops on the active model, for `npm run bench`. */
  benchmark(options: BenchOptions): Promise<BenchResult>;
  memory(): Promise<MemoryInfo>;
  /**
   * Registers the page's handler for faults the engine cannot recover from by itself (its WebGL context was
   * lost; for a worker engine, the worker died): the page then replaces the engine. Calls in flight reject.
   */
  onFault(handler: (reason: string) => void): Promise<void>;
  dispose(): Promise<void>;
}
