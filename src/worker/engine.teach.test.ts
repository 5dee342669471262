/**
 * The engine's teaching requests end to end in Node: a seeded ResNet18 backbone, features of synthetic images in
 * three classes, a head taught on them, the taught model classifying under its own handle, cancels and releases.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { JOB_CANCELLED } from '../shared/jobs';
import type { EngineImage, ModelHandle } from '../shared/protocol';
import { AUGMENT_VIEWS, augmentedView } from '../shared/teach/augmentation';
import { glorotDense } from '../shared/teach/headWeights';
import type { EpochRecord, TeachRequest } from '../shared/teach/teachJob';
import { cropDecoder, EngineRig } from '../testing/engineRig';
import { InferenceEngine } from './engine';

// Node has no OffscreenCanvas: the decoder takes an image's bytes as its crop (see cropDecoder).
vi.mock('./decodeImage', (original) => cropDecoder(original));

const CLASSES = ['red', 'green', 'blue'];
const PER_CLASS = 5;

/** An image of class `c`: mostly that class's colour channel, with stripes and noise of its own. */
function syntheticImage(c: number, n: number): EngineImage {
  const rgba = new Uint8ClampedArray(224 * 224 * 4);
  let state = 1 + 97 * c + n;
  for (let i = 0; i < 224 * 224; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const noise = (state / 2147483648) * 60;
    const stripe = Math.floor(i / 224 / (8 + 4 * c)) % 2 === 0 ? 40 : 0;
    for (let ch = 0; ch < 3; ch++) rgba[4 * i + ch] = (ch === c ? 190 : 40) + stripe + noise;
    rgba[4 * i + 3] = 255;
  }
  return { id: `${CLASSES[c]}-${n}`, blob: new Blob([rgba]) };
}

const images = CLASSES.flatMap((_, c) => Array.from({ length: PER_CLASS }, (_, n) => syntheticImage(c, n)));
const labels = Int32Array.from(images.map((_, i) => Math.floor(i / PER_CLASS)));

let engine: InferenceEngine;
let backbone: ModelHandle;
/** Tensors with the backbone alone loaded. */
let backboneTensors: number;
const rig = new EngineRig<InferenceEngine>();
const { events } = rig;

beforeAll(async () => {
  ({ engine, handle: backbone } = await rig.start(new InferenceEngine(), 21));
  backboneTensors = tf.memory().numTensors;
});

afterAll(() => engine.dispose());

async function featuresOf(job: string) {
  return engine.features(backbone, images, job);
}

let sharedFeatures: ReturnType<typeof featuresOf> | undefined;
/** The backbone's features of all the images, read once for the tests that only need them as input. */
function imageFeatures() {
  return (sharedFeatures ??= featuresOf('f-shared'));
}

function request(features: Float32Array, options: Partial<TeachRequest['options']> = {}): TeachRequest {
  return {
    name: 'colours',
    classNames: CLASSES,
    features,
    featureSize: 512,
    labels,
    options: { keepImageNet: false, seed: 3, maxEpochs: 80, patience: 20, ...options },
  };
}

describe('InferenceEngine: teaching', () => {
  it('reads features in batches with progress, one row per image that decodes, and an error for one that does not', async () => {
    const bad: EngineImage = { id: 'bad', blob: new Blob([new Uint8Array(10)]) };
    const result = await engine.features(backbone, [images[0]!, bad, images[1]!], 'f-1');
    expect(result.featureSize).toBe(512);
    expect(result.images).toEqual([
      { ok: true, row: 0 },
      { ok: false, code: 'undecodable', message: 'Not an image.' },
      { ok: true, row: 1 },
    ]);
    expect(result.features).toHaveLength(2 * 512);
    // The same features as the classifier's own, for the same image asked alone.
    const alone = await engine.features(backbone, [images[1]!], 'f-2');
    expect(Array.from(alone.features)).toEqual(Array.from(result.features.subarray(512)));
    const progress = events.flatMap((e) =>
      e.type === 'progress' && e.job === 'f-1' ? [e.progress.fraction] : [],
    );
    expect(progress).toEqual([1]);
    expect(tf.memory().numTensors).toBe(backboneTensors);
  });

  it('teaches a head whose model, under its own handle, names the classes of its training images; release frees the head alone', async () => {
    const { features } = await imageFeatures();
    const { model, report } = await engine.teach(backbone, request(features), 't-1');
    expect(model.handle).not.toBe(backbone);
    expect(model.taught).toEqual({
      id: 'custom:colours',
      name: 'colours',
      classNames: CLASSES,
      labels: CLASSES,
      keepImageNet: false,
      backbone,
    });
    expect(model.summary.stages.at(-1)!.outputShape).toEqual([3]);
    // One epoch event per epoch of the history, in order.
    const epochs = events.flatMap((e) => (e.type === 'epoch' && e.job === 't-1' ? [e.epoch] : []));
    expect(epochs.map((e: EpochRecord) => e.epoch)).toEqual(report.history.map((h) => h.epoch));
    expect(report.train.length + report.heldOut.length).toBe(images.length);
    expect(report.trainAccuracy).toBe(1);
    expect(report.confusion.classes).toBe(3);
    // The head is the only new thing: the kernel and the bias.
    expect(tf.memory().numTensors).toBe(backboneTensors + 2);

    const answers = await engine.classify(
      model.handle,
      report.train.map((i) => images[i]!),
      3,
    );
    answers.forEach((answer, i) => {
      if (!answer.ok) throw new Error(answer.message);
      expect(answer.predictions[0]!.label).toBe(CLASSES[labels[report.train[i]!]!]);
      expect(answer.predictions).toHaveLength(3);
    });
    // The backbone still answers with ImageNet's classes.
    const [own] = await engine.classify(backbone, [images[0]!], 1);
    expect(own!.ok && own!.predictions[0]!.classIndex).toBeGreaterThanOrEqual(0);

    await engine.release(model.handle);
    expect(tf.memory().numTensors).toBe(backboneTensors);
    const [gone] = await engine.classify(model.handle, [images[0]!], 1);
    expect(gone).toMatchObject({ ok: false, code: 'internal' });
  });

  it('reads the augmented views with the images when asked, and teaches on them with the items held out alone', async () => {
    // Two images of each class: the least a set may have, since each view costs a pass.
    const some = [0, 1, PER_CLASS, PER_CLASS + 1, 2 * PER_CLASS, 2 * PER_CLASS + 1].map((i) => images[i]!);
    const result = await engine.features(backbone, some, 'f-aug', { augment: true });
    const views = AUGMENT_VIEWS.length;
    expect(Array.from(result.augmented!.of)).toEqual(
      [0, 1, 2, 3, 4, 5].flatMap((row) => Array(views).fill(row)),
    );
    expect(result.augmented!.features).toHaveLength(6 * views * 512);
    // Each view's row is the features of that view asked as an image of its own.
    const crop = new Uint8ClampedArray(await some[1]!.blob.arrayBuffer());
    const viewImages = AUGMENT_VIEWS.map((view, v) => ({
      id: `view-${v}`,
      blob: new Blob([augmentedView(crop, 224, view)]),
    }));
    const direct = await engine.features(backbone, viewImages, 'f-views');
    const rows = result.augmented!.features.subarray(views * 512, 2 * views * 512);
    rows.forEach((value, i) => expect(value).toBeCloseTo(direct.features[i]!, 4));
    expect(tf.memory().numTensors).toBe(backboneTensors);

    const { model, report } = await engine.teach(
      backbone,
      {
        ...request(result.features, { maxEpochs: 3 }),
        labels: Int32Array.from([0, 0, 1, 1, 2, 2]),
        augmented: result.augmented!,
      },
      't-aug',
    );
    // The report speaks of the items: views add to what is learned, never to what is held out.
    expect(report.train.length + report.heldOut.length).toBe(6);
    await engine.release(model.handle);
    expect(tf.memory().numTensors).toBe(backboneTensors);
  });

  it('gives a taught head back as arrays, and loads it again over the backbone with the same answers', async () => {
    const { features } = await imageFeatures();
    const { model } = await engine.teach(backbone, request(features, { maxEpochs: 5 }), 't-again');
    const head = await engine.taughtHead(model.handle);
    expect(head.kind).toBe('dense');
    await expect(engine.taughtHead(backbone)).rejects.toThrow(/Only a taught model/);
    const again = await engine.loadTaught(backbone, { name: 'colours', classNames: CLASSES, head });
    expect(again.handle).not.toBe(model.handle);
    expect(again.taught).toEqual({ ...model.taught, backbone });
    const first = await engine.classify(model.handle, images.slice(0, 4), 3);
    const second = await engine.classify(again.handle, images.slice(0, 4), 3);
    expect(second.map((a) => a.ok && a.predictions)).toEqual(first.map((a) => a.ok && a.predictions));
    await engine.release(model.handle);
    await engine.release(again.handle);
    expect(tf.memory().numTensors).toBe(backboneTensors);
  });

  it('refuses to load a head that does not read the backbone’s features, or over a taught model', async () => {
    const head = { kind: 'dense', output: glorotDense(2048, 3, 1) } as const;
    await expect(engine.loadTaught(backbone, { name: 'x', classNames: CLASSES, head })).rejects.toThrow(
      /reads 2048 features/,
    );
    const short = {
      kind: 'dense',
      output: { ...glorotDense(512, 3, 1), bias: new Float32Array(2) },
    } as const;
    await expect(
      engine.loadTaught(backbone, { name: 'x', classNames: CLASSES, head: short }),
    ).rejects.toThrow(/output layer/);
    expect(tf.memory().numTensors).toBe(backboneTensors);
  });

  it('keeps the backbone for a taught model whose backbone handle is released first, and frees both with it', async () => {
    const other = (await engine.load({ kind: 'random', variant: 'resnet18', seed: 22 })).handle;
    const { features } = await engine.features(other, images, 'f-other');
    const { model } = await engine.teach(
      other,
      request(features, { keepImageNet: true, maxEpochs: 2 }),
      't-2',
    );
    expect(model.taught!.labels).toHaveLength(1003);
    expect(model.taught!.labels.slice(1000)).toEqual(CLASSES);
    await engine.release(other);
    await expect(engine.features(other, [images[0]!], 'f-late')).rejects.toThrow(/not loaded/);
    const [answer] = await engine.classify(model.handle, [images[0]!], 5);
    expect(answer!.ok).toBe(true);
    await engine.release(model.handle);
    expect(tf.memory().numTensors).toBe(backboneTensors);
  });

  it('stops reading features on cancel, between batches, leaving no tensors', async () => {
    rig.onEvent = (event) => {
      if (event.type === 'progress' && event.job === 'f-cancel') void engine.cancel('f-cancel');
    };
    await expect(featuresOf('f-cancel')).rejects.toMatchObject({ name: JOB_CANCELLED });
    rig.onEvent = () => undefined;
    const progress = events.filter((e) => e.type === 'progress' && e.job === 'f-cancel');
    expect(progress).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(backboneTensors);
  });

  it('stops training on cancel mid-way, registering no model and leaving no tensors', async () => {
    const { features } = await imageFeatures();
    rig.onEvent = (event) => {
      if (event.type === 'epoch' && event.job === 't-cancel' && event.epoch.epoch === 1)
        void engine.cancel('t-cancel');
    };
    await expect(engine.teach(backbone, request(features), 't-cancel')).rejects.toMatchObject({
      name: JOB_CANCELLED,
    });
    rig.onEvent = () => undefined;
    const epochs = events.filter((e) => e.type === 'epoch' && e.job === 't-cancel');
    expect(epochs).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(backboneTensors);
  });

  it('refuses a request that breaks the rules before training, and a job cancelled before its turn never runs', async () => {
    const { features } = await imageFeatures();
    await expect(
      engine.teach(
        backbone,
        { ...request(features), featureSize: 2048, features: new Float32Array(15 * 2048) },
        't-bad',
      ),
    ).rejects.toThrow(/2048 values each; this model's have 512/);
    await engine.cancel('t-early');
    await expect(engine.teach(backbone, request(features), 't-early')).rejects.toMatchObject({
      name: JOB_CANCELLED,
    });
    expect(events.some((e) => e.type === 'epoch' && e.job === 't-early')).toBe(false);
    expect(tf.memory().numTensors).toBe(backboneTensors);
  });
});
