/**
 * The contract between the page and the inference worker: what the page may ask (EngineApi) and every type that
 * crosses the thread boundary. Types and tiny guards only, so both sides import it without pulling in TF.js.
 */
import type { Colormap } from './colormaps';
import type {
  ExplainableStage,
  ExplainMap,
  ExplainMethod,
  ExplainRequest,
  FaithfulnessCurves,
  SanityResult,
} from './explain';
import type { ModelSummary } from './modelSummary';
import type { BlockContribution, NetworkGraph } from './network';
import type { WeightStats } from './weightStats';
import type { Prediction } from './predictions';
import type { Progress } from './progress';
import type { BuildFlavor, BuildableVariantId, StageName, VariantId } from './variants';
import type { NamedBuffer } from './weightsFormat';
import type { HeadWeights } from './teach/headWeights';
import type {
  EpochRecord,
  FeaturesOptions,
  FeaturesResult,
  TeachReport,
  TeachRequest,
} from './teach/teachJob';

/**
 * Images per forward pass wherever many go to the engine (classification, a comparison, reading features for
 * teaching). Batching pays on every backend (one pass amortizes per-op overheads; `npm run bench` measures it), and 4
 * keeps the wait for a single dropped photo, for a cancel and for the next request short, and memory small.
 */
export const IMAGES_PER_PASS = 4;

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
  /** Where inference runs: always the dedicated worker, never the page's own thread. */
  thread: 'worker';
  /**
   * WebGL: the unmasked renderer string, e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader ...))"; WebGPU: the
   * adapter's vendor and architecture, e.g. "google swiftshader".
   */
  renderer?: string;
  /** WebGL and WebGPU: true for software rasterizers (SwiftShader, llvmpipe). */
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

/** Where a model's weights came from; `random`: seeded He-normal numbers (untrained). */
export type WeightsOrigin = 'random' | 'bundled' | 'file' | 'url' | 'cache';

/** The weights of a model as the page names them (`name`: a file name, a URL, or "random init (seed 42)"). */
export interface WeightsSource {
  origin: WeightsOrigin;
  name: string;
}

/**
 * What to load: the one way to get a classifier. `random`: build a variant with seeded weights; `bundled`: the
 * ImageNet-trained ResNet50 the app serves (`modelUrl` absolute: a worker cannot resolve the page's relative
 * URLs); `files`: weight files already read into memory (from a file, a download or the cache; their buffers are
 * transferred to the worker, not copied), whose contents decide the variant and layout.
 */
export type ModelSource =
  | { kind: 'random'; variant: BuildableVariantId; flavor?: BuildFlavor; seed?: number }
  | { kind: 'bundled'; variant: 'resnet50'; modelUrl: string }
  | { kind: 'files'; origin: 'file' | 'url' | 'cache'; name: string; files: NamedBuffer[] };

/**
 * The engine's name for one loaded model. Every request about a model names it; the engine holds as many models
 * as the page has loaded and not released (the page decides how many: docs/architecture.md, "Models in memory").
 */
export type ModelHandle = string;

/** The page's name for one long job (a load, an explanation, a comparison run): its progress and its cancel. */
export type JobId = string;

/**
 * The engine's one event channel: progress of long jobs by id, and the engine's memory after each request (the
 * badge's tensor count, which the e2e tests read to find leaks).
 */
export type EngineEvent =
  | { type: 'progress'; job: JobId; progress: Progress }
  | { type: 'memory'; memory: MemoryInfo }
  /** A teach job's epoch, as it ends: the panel's loss and accuracy curves. */
  | { type: 'epoch'; job: JobId; epoch: EpochRecord }
  /** A feature visualization's picture so far, every few steps: the panel draws it as it grows. */
  | { type: 'featvis-picture'; job: JobId; step: number; picture: FeatureVisPicture };

/**
 * What feature visualization maximizes: a channel's mean activation at a stage's output or at one residual block's
 * output (the block as the Network view names it: `layer4.1` in ResNet18/34, `conv5_block3` in ResNet50), or a
 * class's logit.
 */
export type FeatureVisTarget =
  | { kind: 'channel'; stage: ExplainableStage; channel: number }
  | { kind: 'block'; block: string; channel: number }
  | { kind: 'class'; classIndex: number };

export interface FeatureVisRequest {
  target: FeatureVisTarget;
  steps: number;
  /** The same seed (with the same model, target, steps and size) gives the same picture. */
  seed: number;
  /** The picture's side in pixels (even); the model's own input size if left out. */
  size?: number;
  /** Steps between the pictures sent as `featvis-picture` events (none if left out). */
  pictureEvery?: number;
}

/** An RGB picture as RGBA bytes (alpha opaque), row by row. */
export interface FeatureVisPicture {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export interface FeatureVisResult {
  picture: FeatureVisPicture;
  /** The objective's value at each step, under that step's random transform. */
  values: number[];
  /** The objective's value for the final picture, untransformed: what the panel reports. */
  value: number;
  /**
   * For a class: the model's own top-1 for the final picture, untransformed and at the size it was made (issue
   * #27's self-consistency: the model names its picture of a class as that class).
   */
  topClass?: number;
  /** In the engine: the whole run, and the median step (what the panel's time estimate is made from). */
  totalMs: number;
  stepMs: number;
}

/** Ranking images by one unit (issue #27's dataset examples): the unit, and how many of the top come with their crop. */
export interface DatasetExamplesRequest {
  target: FeatureVisTarget;
  /** The highest this many come back with the crop the network saw (the panel shows 9). */
  top: number;
}

/** A cell of a stage's grid over the crop: `rows` x `cols` cells, each covering the same share of the crop. */
export interface UnitCell {
  row: number;
  col: number;
  rows: number;
  cols: number;
}

export interface DatasetExample {
  imageId: string;
  /** The unit's value for the image: what feature visualization maximizes (a channel's mean, a class's logit). */
  value: number;
  /**
   * Where the unit is strongest: for a channel, the largest cell of its map; for a class, the largest cell of its
   * class activation map at the last stage (the cell that adds most to the logit). Null where the model has none.
   */
  cell: UnitCell | null;
  /** The crop the network saw (cropSize pixels square), for the `top` highest only. */
  crop?: FeatureVisPicture;
}

export interface DatasetExamplesResult {
  /** Every image that could be read, highest value first. */
  ranked: DatasetExample[];
  /** Images that could not be read (not an image, damaged), with why. */
  skipped: { imageId: string; message: string }[];
  /** In the engine: decoding what was not kept, the passes, and the crops copied out. */
  totalMs: number;
}

export interface ModelInfo {
  handle: ModelHandle;
  summary: ModelSummary;
  weights: WeightsSource;
  buildMs: number;
  /** What the user should know about how it was loaded (a damaged stored copy replaced, ...). */
  notice?: string;
  /** Present for a taught model (issue #26): its summary and weights are its backbone's, with the taught head. */
  taught?: TaughtModelInfo;
}

export interface TaughtModelInfo {
  /** `custom:<name>`, as the model select lists it. */
  id: string;
  name: string;
  /** The new classes, in the order of their indices among them. */
  classNames: string[];
  /** Each logit's name: the new classes, after ImageNet's 1000 with keep-ImageNet (whose new indices then start at 1000). */
  labels: string[];
  keepImageNet: boolean;
  /** The model it was taught on (its handle may have been released since; the engine keeps its weights). */
  backbone: ModelHandle;
}

/** A head taught before, as it is stored and exported: what it is called, its classes and its weights. */
export interface TaughtHead {
  name: string;
  classNames: string[];
  head: HeadWeights;
}

/** What teaching answers: the taught model, loaded under its own handle, and how the teaching went. */
export interface TeachResult {
  model: ModelInfo;
  report: TeachReport;
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
  | 'cancelled'
  /**
   * An SVG, which a worker cannot render: the page renders it to a PNG and asks again (client/engineClient.ts),
   * so no card ever shows this code.
   */
  | 'needs-page-render';

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
    }
  | { ok: false; code: ImageErrorCode; message: string };

/**
 * Where a test can hold the engine: before the forward pass of classify and inspect, before loading a model, or
 * at an explanation's checkpoints (between its batches, before it looks for a cancel), or between two steps of
 * training a head (`teach`).
 */
export type TestHoldPoint = 'forward' | 'load' | 'explain' | 'teach';

/** The answer for one camera frame: the active model's top-k, and the CAM of its top-1 when asked for. */
export interface FrameResult {
  variant: VariantId;
  predictions: Prediction[];
  /** The forward pass (with the CAM's drawing, when asked for). */
  inferenceMs: number;
  /** Crop + forward pass (+ CAM), measured in the engine. */
  totalMs: number;
  /** Over the network's input (the frame's centre crop); its bitmap is the page's to close. */
  cam?: CamRender;
  /**
   * The whole frame as answered, for a frame that came from the track (a VideoFrame): the page shows it with its
   * answer and closes it. The VideoFrame itself is closed at once, since a camera has few buffers and a frame held
   * by the page stalls its capture.
   */
  picture?: ImageBitmap;
}

/** An image for the engine; `id` is the page's name for it, under which the engine keeps its decoded crop. */
export interface EngineImage {
  id: string;
  blob: Blob;
}

/** The active model in TF.js layers format, as "Export (TF.js)" downloads it. */
export interface ExportedModel {
  modelJson: string;
  weightsBin: ArrayBuffer;
  jsonName: string;
  binName: string;
}

export type Normalization = 'channel' | 'stage';
export type ChannelOrder = 'index' | 'mean';

export interface AtlasLayout {
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  /** Transparent pixels between tiles. */
  gap: number;
  /** order[tile] is the channel drawn in that tile. */
  order: number[];
}

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

/** One block of an image looked inside: what it adds to the signal, and its output as a tile atlas. */
export interface BlockDetail {
  nodeId: string;
  contribution: BlockContribution;
  /** The block's output (after the add and the ReLU), drawn as the stages are. */
  map: StageRender;
  /** In the engine: from the kept activations (or one pass from the kept crop) to the drawn atlas. */
  detailMs: number;
}

/** Every block's contribution to an image looked inside, input side first: the chart of residual-to-shortcut ratios. */
export interface BlockContributions {
  contributions: BlockContribution[];
  /** In the engine: every stage not yet measured for this image run from the kept activations. */
  contributionsMs: number;
}

export interface InspectResult {
  /** The exact 224x224 input the network saw, de-normalized for display. */
  input: ImageBitmap;
  stages: StageRender[];
  predictions: Prediction[];
  cam: CamRender;
  /** One multi-output forward pass + drawing every stage (+ decoding, unless classification kept the crop). */
  inspectMs: number;
  /** True when the image was decoded for this; false when the crop its classification kept was used. */
  decoded: boolean;
}

/**
 * What the engine does, the same on both sides of the worker boundary. Every method is async because across a
 * worker it is a message round trip. Every request names its model by handle and carries what it needs (an image
 * travels with its id, under which the engine keeps its decoded crop and, for Look inside, its activations), so
 * the engine keeps no "current" model or image a caller must know about. Long jobs take a `JobId`: their progress
 * comes as events, and `cancel(job)` stops them (they then reject with an error named JOB_CANCELLED).
 */
export interface EngineCalls {
  /**
   * `rendererHint`: the WebGL renderer this browser reported on an earlier visit. With it, `auto` skips
   * creating a WebGL context just to read its name (a third of a second on a software renderer).
   */
  initBackend(requested: BackendChoice, rendererHint?: string): Promise<BackendInitResult>;
  /** Loads a model, complete and warmed up, under a new handle; models already loaded are left as they are. */
  load(source: ModelSource, job?: JobId): Promise<ModelInfo>;
  /** Frees a model and everything kept for it; a handle not (or no longer) loaded is ignored. */
  release(handle: ModelHandle): Promise<void>;
  /** A model in TF.js layers format. */
  exportModel(handle: ModelHandle): Promise<ExportedModel>;
  /**
   * Classifies images in one batched pass; each is decoded on its own (a bad one gets its own error). The engine
   * keeps the last few decoded crops by image id, so later requests about them do not decode them again.
   */
  classify(
    handle: ModelHandle,
    images: readonly EngineImage[],
    k: number,
    options?: ClassifyOptions,
  ): Promise<ClassifyResult[]>;
  /**
   * The card's thumbnail of an image `classify` answered for: a small JPEG of the whole image, so the page never
   * decodes a huge original itself. Made after the answer (encoding takes longer than decoding a photo), handed
   * over once; null when none is waiting (never classified, asked twice, or evicted after many batches).
   * Answered at once, not queued behind the next batch.
   */
  thumbnail(imageId: string): Promise<Blob | null>;
  /**
   * Classifies one camera frame (transferred: the engine closes it), cropped exactly as a decoded image is; with
   * `withCam`, also the class activation map of the top-1; a VideoFrame's answer carries the frame as its
   * `picture`.
   */
  classifyFrame(
    handle: ModelHandle,
    frame: ImageBitmap | VideoFrame,
    k: number,
    withCam: boolean,
  ): Promise<FrameResult>;
  /**
   * One forward pass over an image that yields every stage's output: draws the stages and the class activation
   * map of `camClass` (default: the top-1). The activations are kept (for a few images) for the requests below.
   * `withBlocks` (the Network view is open): every block's output and values from the same pass too, so that a
   * block's detail only draws.
   */
  inspect(
    handle: ModelHandle,
    image: EngineImage,
    options: FeatureMapOptions,
    camClass?: number,
    withBlocks?: boolean,
  ): Promise<InspectResult>;
  /** Re-draws an image's stages with other options (no new forward pass while its activations are kept). */
  renderFeatureMaps(
    handle: ModelHandle,
    image: EngineImage,
    options: FeatureMapOptions,
  ): Promise<StageRender[]>;
  /** The model's stem, blocks and head with their layers, output shapes, parameters and MACs (shared/network.ts). */
  network(handle: ModelHandle): Promise<NetworkGraph>;
  /** The stem's filters and a histogram of each layer's weights (read from the GPU: ask once per model). */
  weightStats(handle: ModelHandle): Promise<WeightStats>;
  /**
   * One block of an image (`nodeId` as the graph names it): its contribution and its output drawn with `options`;
   * from the image's kept activations (only the block's stage, up to the block), or one pass that makes them.
   */
  blockDetail(
    handle: ModelHandle,
    image: EngineImage,
    nodeId: string,
    options: FeatureMapOptions,
  ): Promise<BlockDetail>;
  /** Every block's contribution to an image, for the ratio chart: measured once per image, then kept. */
  blockContributions(handle: ModelHandle, image: EngineImage): Promise<BlockContributions>;
  /**
   * Grad-CAM at one block of an image for `classIndex` (default: its top-1): the block's output weighted by the
   * spatial mean of the class score's gradient, over the network's input.
   */
  blockCam(handle: ModelHandle, image: EngineImage, nodeId: string, classIndex?: number): Promise<CamRender>;
  /** The class activation map of an image for `classIndex` (default: its top-1), with the predictions it maps. */
  cam(handle: ModelHandle, image: EngineImage, classIndex?: number): Promise<CamAnswer>;
  /** An explanation of an image for `request.classIndex`: one map, or one per stage for `all`. */
  explain(
    handle: ModelHandle,
    image: EngineImage,
    request: ExplainRequest,
    job: JobId,
  ): Promise<ExplainMap[]>;
  /**
   * The pooled features of images (the last stage's output averaged over its positions, the head's input), in the
   * engine's own batches with progress after each; a crop the engine keeps is not decoded again, and a bad image
   * gets its own error.
   */
  features(
    handle: ModelHandle,
    images: readonly EngineImage[],
    job: JobId,
    options?: FeaturesOptions,
  ): Promise<FeaturesResult>;
  /**
   * Trains a head on features `handle` gave (issue #26), with progress and an `epoch` event after each epoch, and
   * loads the taught model under a new handle. The taught model runs on the backbone's weights: releasing the
   * backbone's handle leaves them to it, and they are freed with the last taught model that uses them.
   */
  teach(handle: ModelHandle, request: TeachRequest, job: JobId): Promise<TeachResult>;
  /** A taught model's head as plain arrays, to store and export (issue #26); refused for any other model. */
  taughtHead(handle: ModelHandle): Promise<HeadWeights>;
  /**
   * Loads a head taught before (stored or imported) over the backbone `handle` names, as `teach` would have: the
   * taught model under a new handle. Refused when the head does not read this backbone's features.
   */
  loadTaught(handle: ModelHandle, taught: TaughtHead): Promise<ModelInfo>;
  /**
   * Activation maximization (issue #27): a picture grown from seeded noise by gradient ascent on `target`, with
   * progress after each step and, every `pictureEvery` steps, the picture so far as a `featvis-picture` event.
   */
  featureVisualization(
    handle: ModelHandle,
    request: FeatureVisRequest,
    job: JobId,
  ): Promise<FeatureVisResult>;
  /**
   * Dataset examples (issue #27): `images` ranked by one unit, in the engine's own batches with progress after
   * each; a crop the engine keeps is not decoded again, and a bad image is skipped with its reason.
   */
  datasetExamples(
    handle: ModelHandle,
    images: readonly EngineImage[],
    request: DatasetExamplesRequest,
    job: JobId,
  ): Promise<DatasetExamplesResult>;
  /** Deletion and insertion curves of each method's map at one stage, for the comparison table. */
  faithfulness(
    handle: ModelHandle,
    image: EngineImage,
    request: FaithfulnessRequest,
    job: JobId,
  ): Promise<FaithfulnessCurves[]>;
  /** The cascading model-parameter randomization test for one method at one stage. */
  sanityCheck(
    handle: ModelHandle,
    image: EngineImage,
    request: SanityRequest,
    job: JobId,
  ): Promise<SanityResult>;
  /**
   * Stops a job, running or still waiting for its turn (a job cancelled before it starts never runs). Answered at
   * once, not queued behind the job it stops.
   */
  cancel(job: JobId): Promise<void>;
  /** Timing loops on a model, for `npm run bench`. */
  benchmark(handle: ModelHandle, options: BenchOptions): Promise<BenchResult>;
  memory(): Promise<MemoryInfo>;
  /**
   * Registers the page's handler for faults the engine cannot recover from by itself (its WebGL context was
   * lost; for a worker engine, the worker died): the page then replaces the engine. Calls in flight reject.
   */
  onFault(handler: (reason: string) => void): Promise<void>;
  /**
   * For end-to-end tests only (a page built with `--mode e2e` calls it; other builds refuse): the engine pauses at
   * each of `points`, telling `onHeld`, until a later call leaves that point out. Answered at once.
   */
  setTestHold(points: readonly TestHoldPoint[], onHeld: (point: TestHoldPoint) => void): Promise<void>;
  dispose(): Promise<void>;
}

/** The engine as the worker hosts it: its events go to one sink, the page's. */
export interface WorkerEngineApi extends EngineCalls {
  setEventSink(sink: (event: EngineEvent) => void): Promise<void>;
}

/** The engine as the page uses it: any number of listeners on its event channel. */
export interface EngineApi extends EngineCalls {
  /** Listens to the engine's events until the returned function is called. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

export interface ClassifyOptions {
  /** Make each image's card thumbnail after answering (for `thumbnail`); the page's own cards only. */
  thumbnails?: boolean;
}

/** An image's class activation map, with the predictions it is the map of. */
export interface CamAnswer {
  cam: CamRender;
  predictions: Prediction[];
}

export interface FaithfulnessRequest {
  methods: readonly ExplainMethod[];
  stage: ExplainableStage;
  classIndex: number;
}

export interface SanityRequest {
  method: ExplainMethod;
  stage: ExplainableStage;
  classIndex: number;
}

/** Timing loops that run next to the model (in the worker), so message passing does not blur the numbers. */
export interface BenchOptions {
  runs: number;
  batch: number;
  /**
   * How long the engine sits idle before each timed call of the cold-call probe (a photo dropped on a quiet
   * page); 0 leaves the probe out.
   */
  idleMs?: number;
}

/** Median milliseconds of each phase of classifying one crop (bytes in, top-k out), and of the whole call. */
export interface PhaseTimes {
  /** RGBA bytes to the network's input (made in JS or on the backend, with its upload). */
  input: number;
  forward: number;
  topK: number;
  read: number;
  total: number;
}

/** One crop classified back to back (warm) and after the engine sat idle: where a single photo's time goes. */
export interface ColdCallProbe {
  idleMs: number;
  runs: number;
  warm: PhaseTimes;
  afterIdle: PhaseTimes;
}

export interface Timing {
  medianMs: number;
  p95Ms: number;
  runs: number;
}

export interface KernelTime {
  name: string;
  count: number;
  ms: number;
}

export interface BenchResult {
  /** The app's classification path: forward pass, softmax and top-k on the backend, one download of k results. */
  classify: Timing;
  /** Plain `model.predict` of the layers model with a full download of the logits: the naive baseline. */
  naivePredict: Timing;
  /** Images per second, one image at a time and in one batched pass of `batch` images. */
  singleImagesPerSec: number;
  batchImagesPerSec: number;
  batch: number;
  /** Tensors alive before and after all of the above (must be equal). */
  tensorsBefore: number;
  tensorsAfter: number;
  /** Peak bytes allocated by TF.js during the runs (GPU textures on WebGL, heap on WASM/CPU). */
  peakBytes: number;
  /** Max |fast-path logit - layers-model logit| on the same input: the fast path's numerical agreement. */
  fastVsNaiveMaxAbsDiff: number;
  /** Largest |logit| in that comparison, for scale. */
  maxAbsLogit: number;
  /** tf.profile of one classification: time per kernel type, slowest first. */
  kernels: KernelTime[];
  /** Present when asked for (`idleMs`). */
  coldCall?: ColdCallProbe;
}
