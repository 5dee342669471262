import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { ResNetClassifier } from '../model/classifier';
import { loadClassifier } from '../model/loadClassifier';
import { setWasmBackend } from '../testing/wasmBackend';
import { classActivationMap } from './classActivationMap';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('class activation map', () => {
  it('equals a direct computation, and its mean plus the bias is the logit', () => {
    const h = 3;
    const w = 2;
    const channels = 4;
    const classes = 5;
    const data = Float32Array.from({ length: h * w * channels }, (_, i) => Math.sin(i) + 1);
    const kernel = Float32Array.from({ length: channels * classes }, (_, i) => Math.cos(i * 0.7));
    const bias = Float32Array.from({ length: classes }, (_, i) => i * 0.1);
    const map = { data, height: h, width: w, channels };
    for (let c = 0; c < classes; c++) {
      const cam = classActivationMap(map, kernel, classes, c);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let direct = 0;
          for (let k = 0; k < channels; k++)
            direct += data[(y * w + x) * channels + k]! * kernel[k * classes + c]!;
          expect(cam[y * w + x]).toBeCloseTo(direct, 5);
        }
      // GAP then Dense: logit_c = mean over positions of A . w_c + b_c = mean(cam_c) + b_c.
      let logit = bias[c]!;
      for (let k = 0; k < channels; k++) {
        let mean = 0;
        for (let p = 0; p < h * w; p++) mean += data[p * channels + k]! / (h * w);
        logit += mean * kernel[k * classes + c]!;
      }
      expect(cam.reduce((a, b) => a + b, 0) / (h * w) + bias[c]!).toBeCloseTo(logit, 5);
    }
  });
  it('refuses a kernel of the wrong size', () => {
    expect(() =>
      classActivationMap(
        { data: new Float32Array(4), height: 1, width: 1, channels: 4 },
        new Float32Array(7),
        2,
        0,
      ),
    ).toThrow(/expected 4x2/);
  });
});

describe('class activation map of a seeded ResNet18', () => {
  // A whole ResNet18's inspection: on WASM (XNNPACK), a tenth of the plain CPU backend's time.
  beforeAll(setWasmBackend);

  it('reproduces every logit: GAP + Dense gives logit_c = mean(CAM_c) + b_c', async () => {
    const classifier = (await loadClassifier({ kind: 'random', variant: 'resnet18' })) as ResNetClassifier;
    const crop = Uint8ClampedArray.from({ length: 224 * 224 * 4 }, (_, i) =>
      i % 4 === 3 ? 255 : 128 + 100 * Math.sin(i * 0.37 + 2),
    );
    const { stages, predictions } = await classifier.inspect(crop, 5);
    const { kernel, features, classes } = await classifier.fcKernel();
    expect([features, classes]).toEqual([512, 1000]);
    const bias = classifier.model.getLayer('fc').getWeights()[1]!.dataSync();
    const layer4 = stages.at(-1)!.map;
    const logits = Array.from({ length: classes }, (_, c) => {
      const cam = classActivationMap(layer4, kernel, classes, c);
      return cam.reduce((a, b) => a + b, 0) / cam.length + bias[c]!;
    });
    const max = Math.max(...logits);
    const z = logits.reduce((a, l) => a + Math.exp(l - max), 0);
    for (const p of predictions)
      expect(Math.exp(logits[p.classIndex]! - max) / z).toBeCloseTo(p.probability, 4);
    classifier.dispose();
  });
});
