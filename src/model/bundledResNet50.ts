/**
 * The ImageNet-trained ResNet50 the app serves from public/models/resnet50 (fetched at install time). The first
 * load downloads it; a copy then goes into IndexedDB so later visits load it from the browser, whatever caching
 * headers the server sends.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { OnProgress } from '../shared/progress';
import { RESNET50_SOURCE } from '../shared/resnet50Package';

const IDB_KEY = `indexeddb://resnet50-${RESNET50_SOURCE.package}-${RESNET50_SOURCE.version}`;

export async function loadBundledResNet50(modelUrl: string, onProgress: OnProgress): Promise<LayersModel> {
  if (typeof indexedDB !== 'undefined') {
    try {
      onProgress({ fraction: 0.05, message: 'Loading from this browser’s cache' });
      return await tfl.loadLayersModel(IDB_KEY);
    } catch {
      // Not cached yet (or evicted): download it below.
    }
  }
  const model = await tfl.loadLayersModel(modelUrl, {
    onProgress: (f) =>
      onProgress({ fraction: 0.05 + 0.7 * f, message: `Downloading weights (${Math.round(f * 100)}%)` }),
  });
  if (typeof indexedDB !== 'undefined') {
    onProgress({ fraction: 0.78, message: 'Saving a copy in this browser' });
    try {
      await model.save(IDB_KEY);
    } catch (err) {
      // A full quota only costs the next visit a download; the model itself is fine.
      console.warn('Could not cache ResNet50 in IndexedDB:', err);
    }
  }
  return model;
}
