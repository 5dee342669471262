import { describe, expect, it } from 'vitest';

import { IMAGENET_TORCHVISION_PREPROCESS as SPEC, KERAS_CAFFE_PREPROCESS } from '../model/preprocess/spec';
import { grayToRGBA, rgbaToCaffeBGR, rgbaToNormalizedRGB } from './preprocessReference';

describe('normalization', () => {
  it('scales to [0,1] and applies the ImageNet mean and std per channel', () => {
    const px = new Uint8ClampedArray([255, 0, 128, 255]);
    const out = rgbaToNormalizedRGB(px, SPEC);
    expect(out[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(out[1]).toBeCloseTo((0 - 0.456) / 0.224, 5);
    expect(out[2]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 5);
  });
  it('composites transparent pixels onto white', () => {
    const transparentBlack = new Uint8ClampedArray([0, 0, 0, 0]);
    const halfRed = new Uint8ClampedArray([255, 0, 0, 128]);
    const white = rgbaToNormalizedRGB(new Uint8ClampedArray([255, 255, 255, 255]), SPEC);
    expect(Array.from(rgbaToNormalizedRGB(transparentBlack, SPEC))).toEqual(Array.from(white));
    const red = rgbaToNormalizedRGB(halfRed, SPEC);
    expect(red[0]).toBeCloseTo(white[0]!, 5); // 255 over white stays 255
    const g = 255 * (1 - 128 / 255);
    expect(red[1]).toBeCloseTo((g / 255 - 0.456) / 0.224, 5);
  });
  it('replicates grayscale to three equal channels', () => {
    const rgba = grayToRGBA(new Uint8Array([0, 77, 255]));
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 77, 77, 77, 255, 255, 255, 255, 255]);
    const out = rgbaToNormalizedRGB(rgba, SPEC);
    // Equal raw values per pixel: undo the per-channel normalization and compare.
    const raw = (c: number, v: number) => v * SPEC.std[c]! + SPEC.mean[c]!;
    expect(raw(0, out[3]!)).toBeCloseTo(77 / 255, 6);
    expect(raw(1, out[4]!)).toBeCloseTo(77 / 255, 6);
    expect(raw(2, out[5]!)).toBeCloseTo(77 / 255, 6);
  });
});

describe('rgbaToCaffeBGR', () => {
  it('swaps to BGR and subtracts the Caffe means, with no scaling', () => {
    const out = rgbaToCaffeBGR(new Uint8ClampedArray([10, 20, 30, 255, 255, 0, 0, 255]));
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(6);
    const want = [30 - 103.939, 20 - 116.779, 10 - 123.68, 0 - 103.939, 0 - 116.779, 255 - 123.68];
    want.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 4));
  });

  it('composites transparency onto white', () => {
    const out = rgbaToCaffeBGR(new Uint8ClampedArray([0, 0, 0, 0, 200, 100, 0, 51]));
    // Fully transparent: white. Alpha 51/255 = 0.2: 0.2 * value + 0.8 * 255.
    const want = [255 - 103.939, 255 - 116.779, 255 - 123.68, 204 - 103.939, 224 - 116.779, 244 - 123.68];
    want.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 4));
  });

  it('gives the same composited pixels as the ResNet18/34 preprocessing', () => {
    const rgba = new Uint8ClampedArray(4 * 64);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37 + 11) % 256;
    const identity = { ...SPEC, mean: [0, 0, 0], std: [1, 1, 1] } as const;
    const rgb = rgbaToNormalizedRGB(rgba, identity);
    const bgr = rgbaToCaffeBGR(rgba);
    const [mb, mg, mr] = KERAS_CAFFE_PREPROCESS.meanBGR;
    for (let p = 0; p < 64; p++) {
      expect(bgr[p * 3]! + mb).toBeCloseTo(rgb[p * 3 + 2]! * 255, 3);
      expect(bgr[p * 3 + 1]! + mg).toBeCloseTo(rgb[p * 3 + 1]! * 255, 3);
      expect(bgr[p * 3 + 2]! + mr).toBeCloseTo(rgb[p * 3]! * 255, 3);
    }
  });

  it('rejects a buffer that is not whole RGBA pixels', () => {
    expect(() => rgbaToCaffeBGR(new Uint8ClampedArray(7))).toThrow(RangeError);
  });

  it('describes Keras caffe mode', () => {
    expect(KERAS_CAFFE_PREPROCESS).toMatchObject({ mode: 'caffe', resizeShorterSide: 256, cropSize: 224 });
    expect(KERAS_CAFFE_PREPROCESS.meanBGR).toEqual([103.939, 116.779, 123.68]);
  });
});
