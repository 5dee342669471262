/**
 * The ImageNet-trained ResNet50 the app serves from public/models/resnet50 (fetched at install time). The first
 * load downloads it; a checksummed copy then goes into IndexedDB, after the model is ready, so later visits load
 * it from the browser, whatever caching headers the server sends.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { OnProgress } from '../shared/progress';
import { RESNET50_SOURCE } from '../shared/resnet50Package';
import { StoredModelCorruptError, loadCheckedModel, saveCheckedArtifacts } from './checkedModelStore';
import { markStart } from '../shared/startMarks';

const STORE_KEY = `resnet50-${RESNET50_SOURCE.package}-${RESNET50_SOURCE.version}`;
/** Where earlier versions of the app kept it, unchecked (TF.js's own IndexedDB store): removed on sight. */
const OLD_IDB_KEY = `indexeddb://${STORE_KEY}`;

export interface BundledResNet50 {
  model: LayersModel;
  /** What the user should know about how it was loaded (a damaged stored copy replaced). */
  notice?: string;
  /**
   * After a download: writes the checksummed copy for the next visit. The caller starts it once the model is
   * warmed up, so its checksum and 98 MB write do not share the cores with the first pass.
   */
  storeCopy?: () => void;
}

export async function loadBundledResNet50(
  modelUrl: string,
  onProgress: OnProgress,
): Promise<BundledResNet50> {
  const canStore = typeof indexedDB !== 'undefined';
  let notice: string | undefined;
  if (canStore) {
    void tf.io.removeModel(OLD_IDB_KEY).catch(() => undefined);
    try {
      onProgress({ fraction: 0.05, message: 'Loading from this browser’s cache' });
      const stored = await loadCheckedModel(STORE_KEY);
      if (stored) {
        markStart('model-built');
        return { model: stored };
      }
    } catch (err) {
      if (err instanceof StoredModelCorruptError) {
        notice =
          'The copy of ResNet50 stored in this browser was damaged: it was dropped and downloaded again.';
      }
      // Otherwise unreadable storage (private mode, a blocked database): download it below.
    }
  }
  const artifacts = await tf.io.http(modelUrl, {
    onProgress: (f) =>
      onProgress({ fraction: 0.05 + 0.75 * f, message: `Downloading weights (${Math.round(f * 100)}%)` }),
  }).load!(); // the HTTP handler always loads
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  markStart('model-built');
  // The downloaded bytes themselves are stored, not a copy read back from the backend. A visit that ends before
  // the write downloads again next time.
  const storeCopy = () =>
    void saveCheckedArtifacts(STORE_KEY, artifacts).catch((err: unknown) => {
      // A full quota only costs the next visit a download; the model itself is fine.
      console.warn('Could not keep ResNet50 in IndexedDB:', err);
    });
  return { model, ...(notice ? { notice } : {}), ...(canStore ? { storeCopy } : {}) };
}
