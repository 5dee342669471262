/**
 * The engine the page talks to (shared/protocol.ts): it owns the TF.js backend and every model the page has loaded,
 * each under a handle, and runs one request at a time. It keeps no "current" model or image: each request names
 * its model and carries its image. It lives in the inference worker; the page reaches it through
 * client/engineClient.ts.
 */
import { transfer } from 'comlink';
import * as tf from '@tensorflow/tfjs-core';

import type { Classifier } from '../model/classifier';
import { loadClassifier } from '../model/loadClassifier';
import { TaughtClassifier } from '../model/teach/taughtClassifier';
import { DEFAULT_MAX_EPOCHS, nextTask, trainHead } from '../model/teach/trainHead';
import { DEFAULT_EARLY_STOPPING } from '../shared/teach/earlyStopping';
import { AUGMENT_VIEWS, augmentedView } from '../shared/teach/augmentation';
import { checkDense, headFeatures, initialHeadWeights } from '../shared/teach/headWeights';
import type { DenseWeights, HeadSpec, HeadWeights } from '../shared/teach/headWeights';
import { heldOutSplit } from '../shared/teach/heldOutSplit';
import { taughtModelId, teachReport, teachRequestProblem, trainingWithViews } from '../shared/teach/teachJob';
import type { FeatureRow, FeaturesOptions, FeaturesResult, TeachRequest } from '../shared/teach/teachJob';
import type { ExplainMap, ExplainRequest, FaithfulnessCurves, SanityResult } from '../shared/explain';
import type { NetworkGraph } from '../shared/network';
import type { WeightStats } from '../shared/weightStats';
import { JobCancelledError } from '../shared/jobs';
import { MAX_TOP_K, clampTopK } from '../shared/predictions';
import type { Prediction } from '../shared/predictions';
import type {
  BackendChoice,
  BackendInitResult,
  BenchOptions,
  BenchResult,
  BlockContributions,
  BlockDetail,
  CamAnswer,
  CamRender,
  ClassifyOptions,
  ClassifyResult,
  DatasetExample,
  DatasetExamplesRequest,
  DatasetExamplesResult,
  EngineEvent,
  EngineImage,
  ExportedModel,
  FaithfulnessRequest,
  FeatureVisRequest,
  FeatureVisResult,
  FeatureMapOptions,
  FrameResult,
  InspectResult,
  JobId,
  MemoryInfo,
  ModelHandle,
  ModelInfo,
  ModelSource,
  SanityRequest,
  StageRender,
  TaughtHead,
  TeachResult,
  TestHoldPoint,
  WorkerEngineApi,
} from '../shared/protocol';
import { IMAGES_PER_PASS } from '../shared/protocol';
import { SerialQueue } from '../shared/serialQueue';
import type { RunControl } from '../explain/runControl';
import { runFeatureVisualization } from '../explain/featureVis/featureVisualization';
import { classColumn, readUnit, targetProblem } from '../explain/featureVis/unitReading';
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
import * as explanations from './explanations';
import { Inspection } from './inspection';
import { Inspections } from './inspections';
import { markStart } from '../shared/startMarks';
import { Jobs } from './jobs';
import { Models } from './models';
import type { JobSignal } from './jobs';
import { TestGate } from './testGate';
import { Thumbnails } from './thumbnails';

function memory(): MemoryInfo {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

const CONTEXT_LOST = 'The GPU (WebGL) context was lost, e.g. by a driver reset.';

/** Crops kept for Look inside: a screenful of cards, about 6 MB. */
const KEPT_CROPS = 32;
/** Images whose activations are kept (a few models' Look inside of one image, or one model's of a few). */
const KEPT_INSPECTIONS = 4;
/** Thumbnails waiting for the page to ask: many batches' worth, at most about 14 MB. */
const WAITING_THUMBNAILS = 128;

/**
 * Test holds exist only in a page built for the e2e tests (`vite build --mode e2e`): elsewhere the constant folds
 * and no gate is ever made.
 */
const makeTestGate = (): TestGate | null => (import.meta.env.MODE === 'e2e' ? new TestGate() : null);

export class InferenceEngine implements WorkerEngineApi {
  private readonly models = new Models<Classifier>();
  private nextHandle = 1;
  private readonly inspections = new Inspections(KEPT_INSPECTIONS);
  private readonly crops = new CropCache(KEPT_CROPS);
  private readonly thumbnails = new Thumbnails<ImageBitmap, Blob>(WAITING_THUMBNAILS, encodeThumbnail);
  private readonly queue = new SerialQueue();
  private readonly jobs = new Jobs();
  private readonly testGate = makeTestGate();
  private faultHandler: ((reason: string) => void) | null = null;
  private eventSink: ((event: EngineEvent) => void) | null = null;
  private lastMemory: MemoryInfo | null = null;

  setEventSink(sink: (event: EngineEvent) => void): Promise<void> {
    this.eventSink = sink;
    return Promise.resolve();
  }

  initBackend(requested: BackendChoice, rendererHint?: string): Promise<BackendInitResult> {
    return this.run(async () => {
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
    if (!this.testGate)
      return Promise.reject(new Error('Test holds exist only in a build for the e2e tests.'));
    this.testGate.set(points, onHeld);
    return Promise.resolve();
  }

  /** A new model never disturbs the loaded ones: if loading fails, nothing else changed. */
  load(source: ModelSource, job?: JobId): Promise<ModelInfo> {
    const signal = this.jobs.open(job);
    return this.run(async () => {
      if (signal.cancelled) throw new JobCancelledError('Loading the model');
      await this.pass('load');
      const started = performance.now();
      const classifier = await loadClassifier(source, {
        onProgress: (progress) => job !== undefined && this.emit({ type: 'progress', job, progress }),
      });
      if (signal.cancelled) {
        classifier.dispose();
        throw new JobCancelledError('Loading the model');
      }
      try {
        await warmUpDecoding(classifier.preprocess);
      } catch {
        // Only a warm-up: a browser that cannot encode JPEG here still decodes the user's images.
      }
      const handle = `model-${this.nextHandle++}`;
      this.models.add(handle, classifier);
      markStart('model-loaded');
      return {
        handle,
        summary: classifier.summary,
        weights: classifier.weights,
        buildMs: performance.now() - started,
        ...(classifier.notice ? { notice: classifier.notice } : {}),
      };
    }).finally(() => this.jobs.close(job));
  }

  release(handle: ModelHandle): Promise<void> {
    return this.run(async () => {
      // A backbone a taught model runs on stays (without its handle) until that model is released too.
      this.models.release(handle);
      this.inspections.dropModel(handle);
    });
  }

  exportModel(handle: ModelHandle): Promise<ExportedModel> {
    return this.run(() => this.model(handle).exportLayers());
  }

  /**
   * Decodes each image (a bad one gets its own error and does not affect the others), then classifies all the
   * good ones in one batched pass.
   */
  classify(
    handle: ModelHandle,
    images: readonly EngineImage[],
    k: number = MAX_TOP_K,
    { thumbnails = false }: ClassifyOptions = {},
  ): Promise<ClassifyResult[]> {
    return this.run(() => this.classifyBy(handle, images, k, thumbnails));
  }

  /** Not queued: a small encode between batches, which must not wait for the next batch to finish. */
  thumbnail(imageId: string): Promise<Blob | null> {
    return this.thumbnails.take(imageId);
  }

  classifyFrame(
    handle: ModelHandle,
    frame: ImageBitmap | VideoFrame,
    k: number,
    withCam: boolean,
  ): Promise<FrameResult> {
    return this.run(async () => {
      const classifier = this.model(handle);
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
          // Not kept: a frame is never asked about again.
          cam = await new Inspection(classifier, inspected.stages, rgba, predictions).drawCam(
            predictions[0]!.classIndex,
          );
        } else {
          predictions = (await classifier.classify([rgba], clampTopK(k)))[0]!;
        }
        this.throwIfContextLost('classification');
        const now = performance.now();
        const result: FrameResult = {
          variant: classifier.summary.variant,
          predictions,
          inferenceMs: now - inferStart,
          totalMs: now - started,
          ...(cam ? { cam } : {}),
          ...(picture ? { picture } : {}),
        };
        return transferBitmaps(result, [...(cam ? [cam.bitmap] : []), ...(picture ? [picture] : [])]);
      } catch (err) {
        picture?.close();
        throw err;
      }
    }).finally(() => frame.close());
  }

  /** Always a fresh pass (what Look inside asks for when it opens); its activations are kept for later requests. */
  inspect(
    handle: ModelHandle,
    image: EngineImage,
    options: FeatureMapOptions,
    camClass?: number,
    withBlocks = false,
  ): Promise<InspectResult> {
    return this.run(async () => {
      const started = performance.now();
      const { inspection, decoded } = await this.inspectAfresh(handle, image, withBlocks);
      const input = drawInput(inspection.crop, inspection.classifier.preprocess);
      const renders = inspection.drawStages(options);
      const cam = await inspection.drawCam(camClass ?? inspection.predictions[0]!.classIndex);
      const result: InspectResult = {
        input,
        stages: renders,
        predictions: [...inspection.predictions],
        cam,
        inspectMs: performance.now() - started,
        decoded,
      };
      return transferBitmaps(result, [input, cam.bitmap, ...renders.map((r) => r.bitmap)]);
    });
  }

  renderFeatureMaps(
    handle: ModelHandle,
    image: EngineImage,
    options: FeatureMapOptions,
  ): Promise<StageRender[]> {
    return this.run(async () => {
      const renders = (await this.inspection(handle, image)).drawStages(options);
      return transferBitmaps(
        renders,
        renders.map((r) => r.bitmap),
      );
    });
  }

  network(handle: ModelHandle): Promise<NetworkGraph> {
    return this.run(async () => this.model(handle).architecture());
  }

  weightStats(handle: ModelHandle): Promise<WeightStats> {
    // A few kB (the stem's 9,408 weights and the bins): copied, not transferred.
    return this.run(() => this.model(handle).weightStats());
  }

  blockDetail(
    handle: ModelHandle,
    image: EngineImage,
    nodeId: string,
    options: FeatureMapOptions,
  ): Promise<BlockDetail> {
    return this.run(async () => {
      const started = performance.now();
      const inspection = await this.inspection(handle, image, true);
      const detail = await inspection.blockDetail(nodeId, options);
      return transferBitmaps({ nodeId, ...detail, detailMs: performance.now() - started }, [
        detail.map.bitmap,
      ]);
    });
  }

  blockContributions(handle: ModelHandle, image: EngineImage): Promise<BlockContributions> {
    return this.run(async () => {
      const started = performance.now();
      const contributions = await (await this.inspectionWithBlocks(handle, image)).blockContributions();
      return { contributions, contributionsMs: performance.now() - started };
    });
  }

  blockCam(handle: ModelHandle, image: EngineImage, nodeId: string, classIndex?: number): Promise<CamRender> {
    return this.run(async () => {
      const inspection = await this.inspection(handle, image);
      const cam = await inspection.blockCam(nodeId, classIndex ?? inspection.predictions[0]!.classIndex);
      return transferBitmaps(cam, [cam.bitmap]);
    });
  }

  cam(handle: ModelHandle, image: EngineImage, classIndex?: number): Promise<CamAnswer> {
    return this.run(async () => {
      const inspection = await this.inspection(handle, image);
      const cam = await inspection.drawCam(classIndex ?? inspection.predictions[0]!.classIndex);
      return transferBitmaps({ cam, predictions: [...inspection.predictions] }, [cam.bitmap]);
    });
  }

  explain(
    handle: ModelHandle,
    image: EngineImage,
    request: ExplainRequest,
    job: JobId,
  ): Promise<ExplainMap[]> {
    return this.explaining(handle, image, job, async (inspection, control) => {
      const maps = await explanations.explain(inspection, request, control);
      return transferBitmaps(
        maps,
        maps.map((m) => m.bitmap),
      );
    });
  }

  faithfulness(
    handle: ModelHandle,
    image: EngineImage,
    request: FaithfulnessRequest,
    job: JobId,
  ): Promise<FaithfulnessCurves[]> {
    return this.explaining(handle, image, job, (inspection, control) =>
      explanations.faithfulness(inspection, request, control),
    );
  }

  sanityCheck(
    handle: ModelHandle,
    image: EngineImage,
    request: SanityRequest,
    job: JobId,
  ): Promise<SanityResult> {
    return this.explaining(handle, image, job, async (inspection, control) => {
      const result = await explanations.sanityCheck(inspection, request, control);
      return transferBitmaps(
        result,
        result.maps.map((m) => m.bitmap),
      );
    });
  }

  /**
   * Batches of IMAGES_PER_PASS images: each decoded (or its kept crop taken), then one pass; between batches a cancel
   * is read, and progress says how many are done.
   */
  features(
    handle: ModelHandle,
    images: readonly EngineImage[],
    job: JobId,
    options: FeaturesOptions = {},
  ): Promise<FeaturesResult> {
    const signal = this.jobs.open(job);
    return this.run(async () => {
      const classifier = this.model(handle);
      const featureSize = pooledFeatureSize(classifier);
      const rows: FeatureRow[] = [];
      const parts: Float32Array[] = [];
      const viewParts: Float32Array[] = [];
      const viewOf: number[] = [];
      let count = 0;
      for (let start = 0; start < images.length; start += IMAGES_PER_PASS) {
        // A macrotask, so that a cancel message that came during the last pass is read now.
        await nextTask();
        if (signal.cancelled) throw new JobCancelledError('Reading the features');
        const batch = images.slice(start, start + IMAGES_PER_PASS);
        const crops = await Promise.all(batch.map((image) => this.cropOf(image, classifier)));
        const good = crops.flatMap((c) => (c.ok ? [c.rgba] : []));
        if (good.length > 0) {
          await this.pass('forward');
          const { features } = await classifier.features(good);
          this.throwIfContextLost('feature extraction');
          parts.push(features);
          if (options.augment) {
            // The views of each crop, a pass's worth at a time: AUGMENT_VIEWS.length more passes per batch.
            const views = good.flatMap((rgba, i) => {
              const side = Math.sqrt(rgba.length / 4);
              return AUGMENT_VIEWS.map((view) => ({ of: count + i, rgba: augmentedView(rgba, side, view) }));
            });
            for (let from = 0; from < views.length; from += IMAGES_PER_PASS) {
              const some = views.slice(from, from + IMAGES_PER_PASS);
              viewParts.push((await classifier.features(some.map((v) => v.rgba))).features);
              viewOf.push(...some.map((v) => v.of));
            }
            this.throwIfContextLost('feature extraction');
          }
        }
        for (const crop of crops) rows.push(crop.ok ? { ok: true, row: count++ } : crop.error);
        const done = start + batch.length;
        this.emit({
          type: 'progress',
          job,
          progress: {
            fraction: done / images.length,
            message: `Features of ${done}/${images.length} images`,
          },
        });
      }
      const features = joined(parts, count * featureSize);
      if (!options.augment)
        // Handed over, not copied: up to a few MB a call, which the worker has no more use for.
        return transfer({ featureSize, features, images: rows }, [features.buffer]);
      const augmented = {
        features: joined(viewParts, viewOf.length * featureSize),
        of: Int32Array.from(viewOf),
      };
      return transfer({ featureSize, features, images: rows, augmented }, [
        features.buffer,
        augmented.features.buffer,
        augmented.of.buffer,
      ]);
    }).finally(() => this.jobs.close(job));
  }

  /** Runs in turn like an explanation; a cancel is read before each step, and holds at `explain` in e2e builds. */
  featureVisualization(
    handle: ModelHandle,
    request: FeatureVisRequest,
    job: JobId,
  ): Promise<FeatureVisResult> {
    const signal = this.jobs.open(job);
    return this.run(async () => {
      const classifier = this.model(handle);
      const result = await runFeatureVisualization(classifier.network(), classifier.preprocess, request, {
        checkpoint: async () => {
          // A macrotask, so that a cancel message that came during the last step is read now.
          await nextTask();
          await this.pass('explain');
          if (signal.cancelled) throw new JobCancelledError('Feature visualization');
        },
        onStep: (step, steps) => {
          this.throwIfContextLost('feature visualization');
          this.emit({
            type: 'progress',
            job,
            progress: { fraction: step / steps, message: `Step ${step} of ${steps}` },
          });
        },
        onPicture: (step, picture) => this.emit({ type: 'featvis-picture', job, step, picture }),
      });
      return transfer(result, [result.picture.rgba.buffer]);
    }).finally(() => this.jobs.close(job));
  }

  /**
   * Batches of IMAGES_PER_PASS crops (kept, or decoded and then kept), one inference pass each, a cancel read between
   * them and progress after each; then every image ranked by the unit, the top ones with a copy of their crop.
   */
  datasetExamples(
    handle: ModelHandle,
    images: readonly EngineImage[],
    request: DatasetExamplesRequest,
    job: JobId,
  ): Promise<DatasetExamplesResult> {
    const signal = this.jobs.open(job);
    return this.run(async () => {
      const started = performance.now();
      const classifier = this.model(handle);
      const network = classifier.network();
      const { target, top } = request;
      const problem =
        targetProblem(network, target) ??
        (Number.isInteger(top) && top >= 0 ? null : `The top is a whole number from 0, not ${top}.`);
      if (problem) throw new RangeError(problem);
      const classWeights =
        target.kind === 'class' ? await classWeightsOf(classifier, target.classIndex) : null;
      const side = classifier.preprocess.cropSize;
      const read: { example: DatasetExample; rgba: Uint8ClampedArray }[] = [];
      const skipped: DatasetExamplesResult['skipped'] = [];
      for (let start = 0; start < images.length; start += IMAGES_PER_PASS) {
        // A macrotask, so that a cancel message that came during the last pass is read now.
        await nextTask();
        if (signal.cancelled) throw new JobCancelledError('Finding dataset examples');
        const batch = images.slice(start, start + IMAGES_PER_PASS);
        const crops = await Promise.all(batch.map((image) => this.cropOf(image, classifier)));
        const good = batch.flatMap((image, i) => {
          const crop = crops[i]!;
          if (crop.ok) return [{ imageId: image.id, rgba: crop.rgba }];
          skipped.push({ imageId: image.id, message: crop.error.message });
          return [];
        });
        if (good.length > 0) {
          await this.pass('forward');
          const bytes = new Uint8Array(side * side * 4 * good.length);
          good.forEach((g, i) => bytes.set(g.rgba, i * side * side * 4));
          const x = tf.tidy(() =>
            classifier.normalize(tf.tensor4d(bytes, [good.length, side, side, 4], 'int32')),
          );
          let readings;
          try {
            readings = await readUnit(network, x, target, classWeights);
          } finally {
            x.dispose();
          }
          this.throwIfContextLost('finding dataset examples');
          good.forEach(({ imageId, rgba }, i) => read.push({ example: { imageId, ...readings[i]! }, rgba }));
        }
        const done = start + batch.length;
        this.emit({
          type: 'progress',
          job,
          progress: { fraction: done / images.length, message: `Read ${done} of ${images.length} images` },
        });
      }
      read.sort((a, b) => b.example.value - a.example.value);
      const ranked = read.map(({ example, rgba }, rank) =>
        // A copy: the kept crop stays in the cache, and the copy is handed over, not copied again.
        rank < top
          ? { ...example, crop: { width: side, height: side, rgba: new Uint8ClampedArray(rgba) } }
          : example,
      );
      const result: DatasetExamplesResult = { ranked, skipped, totalMs: performance.now() - started };
      return transfer(
        result,
        ranked.flatMap((e) => (e.crop ? [e.crop.rgba.buffer] : [])),
      );
    }).finally(() => this.jobs.close(job));
  }

  /**
   * Trains the head in this worker, reading a cancel between any two steps, and registers the taught model over
   * its backbone (see Models): the head is its own, the backbone's tensors are shared, not copied.
   */
  teach(handle: ModelHandle, request: TeachRequest, job: JobId): Promise<TeachResult> {
    const signal = this.jobs.open(job);
    return this.run(async () => {
      if (signal.cancelled) throw new JobCancelledError('Teaching');
      const backbone = this.model(handle);
      if (backbone instanceof TaughtClassifier)
        throw new Error('Teach on the model it was taught on, not on a taught model.');
      const problem = teachRequestProblem(request, pooledFeatureSize(backbone));
      if (problem) throw new RangeError(problem);
      const { classNames, labels, options } = request;
      const classes = classNames.length;
      const spec: HeadSpec = options.keepImageNet
        ? { kind: 'keepImageNet', kept: await backbone.fcLayer(), classes }
        : options.hiddenUnits !== undefined
          ? { kind: 'hidden', features: request.featureSize, hiddenUnits: options.hiddenUnits, classes }
          : { kind: 'dense', features: request.featureSize, classes };
      const split = heldOutSplit(Array.from(labels), options.seed);
      // Augmented views join the training side only; the report speaks of the items.
      const learned = trainingWithViews(request, split);
      const maxEpochs = options.maxEpochs;
      const aborting = new AbortController();
      const trained = await trainHead({
        data: {
          features: learned.features,
          count: learned.labels.length,
          featureSize: request.featureSize,
          labels: learned.labels,
        },
        split: learned.split,
        initial: initialHeadWeights(spec, options.seed),
        seed: options.seed,
        ...(maxEpochs !== undefined ? { maxEpochs } : {}),
        earlyStopping: {
          ...DEFAULT_EARLY_STOPPING,
          ...(options.patience !== undefined ? { patience: options.patience } : {}),
        },
        signal: aborting.signal,
        yieldToEvents: async () => {
          // e2e tests catch the training phase here to cancel it (only their build closes this gate).
          await this.pass('teach');
          await nextTask();
          if (signal.cancelled) aborting.abort(new JobCancelledError('Teaching'));
        },
        onEpoch: (epoch) => {
          this.emit({ type: 'epoch', job, epoch });
          const of = maxEpochs ?? DEFAULT_MAX_EPOCHS;
          this.emit({
            type: 'progress',
            job,
            // Early stopping usually ends it before the last epoch: the bar's end is the ceiling.
            progress: {
              fraction: (epoch.epoch + 1) / of,
              message: `Epoch ${epoch.epoch + 1} (at most ${of})`,
            },
          });
        },
      });
      return {
        model: this.addTaught(handle, backbone, { name: request.name, classNames, head: trained.weights }),
        report: teachReport(labels, classes, split, {
          history: trained.history,
          bestEpoch: trained.bestEpoch,
          stoppedEarly: trained.stoppedEarly,
          heldOutPredicted: trained.heldOut.predicted,
        }),
      };
    }).finally(() => this.jobs.close(job));
  }

  taughtHead(handle: ModelHandle): Promise<HeadWeights> {
    return this.run(async () => {
      const model = this.model(handle);
      if (!(model instanceof TaughtClassifier)) throw new Error('Only a taught model has a taught head.');
      return model.head;
    });
  }

  loadTaught(handle: ModelHandle, taught: TaughtHead): Promise<ModelInfo> {
    return this.run(async () => {
      const backbone = this.model(handle);
      if (backbone instanceof TaughtClassifier)
        throw new Error('A taught model runs on the model it was taught on, not on another taught model.');
      for (const [what, layer] of Object.entries(taught.head))
        if (what !== 'kind') checkDense(layer as DenseWeights, `The taught head's ${what} layer`);
      const features = pooledFeatureSize(backbone);
      if (headFeatures(taught.head) !== features)
        throw new RangeError(
          `This head reads ${headFeatures(taught.head)} features; ${backbone.summary.variant} gives ${features}.`,
        );
      return this.addTaught(handle, backbone, taught);
    });
  }

  /** Registers a taught head over its backbone (see Models): the head is its own, the backbone's tensors shared. */
  private addTaught(
    handle: ModelHandle,
    backbone: Classifier,
    { name, classNames, head }: TaughtHead,
  ): ModelInfo {
    const taught = new TaughtClassifier(backbone, head, classNames);
    const taughtHandle = `model-${this.nextHandle++}`;
    this.models.add(taughtHandle, taught, handle);
    return {
      handle: taughtHandle,
      summary: taught.summary,
      weights: taught.weights,
      buildMs: 0,
      taught: {
        id: taughtModelId(name),
        name,
        classNames: [...classNames],
        labels: [...taught.labels],
        keepImageNet: head.kind === 'keepImageNet',
        backbone: handle,
      },
    };
  }

  /** Not queued: it must reach the job it cancels, which may hold the queue. */
  cancel(job: JobId): Promise<void> {
    this.jobs.cancel(job);
    return Promise.resolve();
  }

  benchmark(handle: ModelHandle, options: BenchOptions): Promise<BenchResult> {
    return this.run(() => this.model(handle).benchmark(options));
  }

  memory(): Promise<MemoryInfo> {
    return Promise.resolve(memory());
  }

  dispose(): Promise<void> {
    this.jobs.cancelAll();
    return this.run(async () => {
      this.models.clear();
      this.inspections.clear();
      this.crops.clear();
      this.thumbnails.clear();
    });
  }

  /** One request in the engine's turn; the memory it leaves is reported on the event channel when it changed. */
  private run<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(work).finally(() => this.reportMemory());
  }

  private reportMemory(): void {
    const now = memory();
    const last = this.lastMemory;
    if (last && last.numTensors === now.numTensors && last.numBytes === now.numBytes) return;
    this.lastMemory = now;
    this.emit({ type: 'memory', memory: now });
  }

  private emit(event: EngineEvent): void {
    try {
      this.eventSink?.(event);
    } catch {
      // The page went away (its proxy was released): nobody is left to tell.
    }
  }

  private pass(point: TestHoldPoint): Promise<void> {
    return this.testGate?.pass(point) ?? Promise.resolve();
  }

  /**
   * A long job on an image's activations: its signal exists from the moment the request arrives, so a cancel
   * that comes while it waits for its turn stops it before it starts.
   */
  private explaining<T>(
    handle: ModelHandle,
    image: EngineImage,
    job: JobId,
    work: (inspection: Inspection, control: RunControl) => Promise<T>,
  ): Promise<T> {
    const signal = this.jobs.open(job);
    return this.run(async () => {
      if (signal.cancelled) throw new JobCancelledError('The explanation');
      const inspection = await this.inspection(handle, image);
      return work(inspection, this.control(job, signal));
    }).finally(() => this.jobs.close(job));
  }

  private control(job: JobId, signal: JobSignal): RunControl {
    return {
      signal,
      onProgress: (progress) => this.emit({ type: 'progress', job, progress }),
      pause: () => this.pass('explain'),
    };
  }

  /**
   * The image's kept activations under this model, or a pass that makes (and keeps) them; `withBlocks`: a pass
   * made here also keeps every block (a block's detail asked for an image not looked inside).
   */
  private async inspection(handle: ModelHandle, image: EngineImage, withBlocks = false): Promise<Inspection> {
    return (
      this.inspections.get(handle, image.id) ??
      (await this.inspectAfresh(handle, image, withBlocks)).inspection
    );
  }

  /**
   * The image's kept activations with every block's output: a pass from the kept crop where they are not kept (the
   * image was looked inside with the Network view closed, or another image since). The Network view asks this as it
   * opens, so each block's detail after it only draws.
   */
  private async inspectionWithBlocks(handle: ModelHandle, image: EngineImage): Promise<Inspection> {
    const kept = this.inspections.get(handle, image.id);
    return kept?.hasBlocks ? kept : (await this.inspectAfresh(handle, image, true)).inspection;
  }

  private async inspectAfresh(
    handle: ModelHandle,
    image: EngineImage,
    withBlocks: boolean,
  ): Promise<{ inspection: Inspection; decoded: boolean }> {
    const classifier = this.model(handle);
    const kept = this.crops.get(image.id, classifier.preprocess);
    const rgba = kept ?? (await decodeAndCrop(image.blob, classifier.preprocess)).rgba;
    if (!kept) this.crops.set(image.id, classifier.preprocess, rgba);
    await this.pass('forward');
    // With the Network view open, every block's output and values too, from the same pass: any block's detail
    // then only draws. Without it, Look inside does not pay for them (they slow ResNet50's pass measurably:
    // docs/network-view.md).
    const { stages, predictions, blocks } = await classifier.inspect(rgba, MAX_TOP_K, { blocks: withBlocks });
    const inspection = new Inspection(classifier, stages, rgba, predictions, blocks ?? null);
    this.inspections.set(handle, image.id, inspection);
    return { inspection, decoded: !kept };
  }

  /** An image's crop for this model: the kept one, or decoded (and then kept); a bad image gets its error. */
  private async cropOf(
    image: EngineImage,
    classifier: Classifier,
  ): Promise<
    { ok: true; rgba: Uint8ClampedArray } | { ok: false; error: Extract<FeatureRow, { ok: false }> }
  > {
    const kept = this.crops.get(image.id, classifier.preprocess);
    if (kept) return { ok: true, rgba: kept };
    try {
      const { rgba } = await decodeAndCrop(image.blob, classifier.preprocess);
      this.crops.set(image.id, classifier.preprocess, rgba);
      return { ok: true, rgba };
    } catch (err) {
      return { ok: false, error: decodeError(err) };
    }
  }

  private async classifyBy(
    handle: ModelHandle,
    images: readonly EngineImage[],
    k: number,
    withThumbnails: boolean,
  ): Promise<ClassifyResult[]> {
    const classifier = this.models.get(handle);
    if (!classifier) {
      return images.map(() => ({ ok: false as const, code: 'internal' as const, message: NOT_LOADED }));
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
      await this.pass('forward');
      const inferStart = performance.now();
      try {
        predictions = await classifier.classify(
          crops.map((c) => c.rgba),
          clampTopK(k),
        );
      } catch (err) {
        failure = `Classification failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      // Whatever came back was computed on a dead context; the page replaces the engine and retries.
      this.throwIfContextLost('classification');
      inferenceMs = performance.now() - inferStart;
    }
    decoded.forEach((d, i) => d.ok && this.crops.set(images[i]!.id, classifier.preprocess, d.crop.rgba));
    const totalMs = performance.now() - started;
    let next = 0;
    return decoded.map((d): ClassifyResult => {
      if (!d.ok) return decodeError(d.err);
      const index = next++;
      if (failure) return { ok: false, code: 'internal', message: failure };
      return success(d.crop, {
        variant: classifier.summary.variant,
        predictions: predictions[index]!,
        // Per image: the batch's time shared out, so a card's number means the same at any batch size.
        totalMs: totalMs / images.length,
        inferenceMs: inferenceMs / crops.length,
      });
    });
  }

  private throwIfContextLost(during: string): void {
    if (!isWebGLContextLost()) return;
    this.faultHandler?.(CONTEXT_LOST);
    throw new Error(`The GPU (WebGL) context was lost during ${during}.`);
  }

  private model(handle: ModelHandle): Classifier {
    const classifier = this.models.get(handle);
    if (!classifier) throw new Error(NOT_LOADED);
    return classifier;
  }
}

const NOT_LOADED = 'This model is not loaded (it was released, or the engine restarted).';

/** A class's weight on each last-stage channel: the head's kernel column, which makes its activation map. */
async function classWeightsOf(classifier: Classifier, classIndex: number): Promise<Float32Array> {
  const fc = await classifier.fcKernel();
  if (classIndex >= fc.classes)
    throw new RangeError(`This model has ${fc.classes} classes, not class ${classIndex}.`);
  return classColumn(fc.kernel, fc.features, fc.classes, classIndex);
}

/** The features' length: the channels of the last stage, which the head pools. */
function pooledFeatureSize(classifier: Classifier): number {
  const last = classifier.summary.stages.filter((s) => s.stage !== 'fc').at(-1)!;
  return last.outputShape.at(-1)!;
}

function decodeError(err: unknown): Extract<ClassifyResult, { ok: false }> {
  if (err instanceof ImageDecodeError) return { ok: false, code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, code: 'internal', message: `Decoding failed: ${message}` };
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
  };
}

/** The parts one after another in one array of `length`. */
function joined(parts: readonly Float32Array[], length: number): Float32Array {
  const all = new Float32Array(length);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
