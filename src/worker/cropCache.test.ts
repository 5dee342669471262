import { describe, expect, it } from 'vitest';

import { IMAGENET_TORCHVISION_PREPROCESS, KERAS_CAFFE_PREPROCESS } from '../model/preprocess/spec';
import { CropCache } from './cropCache';

const crop = (v: number) => new Uint8ClampedArray([v, v, v, 255]);

describe('CropCache', () => {
  it('returns what was kept, and evicts the least recently used beyond its capacity', () => {
    const cache = new CropCache(2);
    cache.set('a', IMAGENET_TORCHVISION_PREPROCESS, crop(1));
    cache.set('b', IMAGENET_TORCHVISION_PREPROCESS, crop(2));
    expect(cache.get('a', IMAGENET_TORCHVISION_PREPROCESS)).toEqual(crop(1)); // a is now the most recent
    cache.set('c', IMAGENET_TORCHVISION_PREPROCESS, crop(3));
    expect(cache.get('b', IMAGENET_TORCHVISION_PREPROCESS)).toBeUndefined();
    expect(cache.get('a', IMAGENET_TORCHVISION_PREPROCESS)).toEqual(crop(1));
    expect(cache.get('c', IMAGENET_TORCHVISION_PREPROCESS)).toEqual(crop(3));
    expect(cache.size).toBe(2);
  });

  it('shares a crop between models framed alike, and keeps apart those framed differently', () => {
    const cache = new CropCache(4);
    cache.set('a', IMAGENET_TORCHVISION_PREPROCESS, crop(1));
    // ResNet50's Caffe normalization differs, but it is applied on the backend after the crop: same framing.
    expect(cache.get('a', KERAS_CAFFE_PREPROCESS)).toEqual(crop(1));
    const squashed = { ...IMAGENET_TORCHVISION_PREPROCESS, resizeShorterSide: 224 };
    expect(cache.get('a', squashed)).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
