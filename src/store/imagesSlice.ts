import { EngineFaultError } from '../client/engineClient';
import type { ClassifyResult, ImageErrorCode } from '../shared/protocol';
import { MAX_TOP_K } from '../shared/predictions';
import type { Prediction } from '../model/topK';
import type { VariantId } from '../shared/variants';
import { getEngine } from './engineRef';
import type { SliceCreator } from './types';

export type ImageStatus = 'queued' | 'classifying' | 'done' | 'error';

export interface ImageItem {
  id: string;
  fileName: string;
  file: Blob;
  /**
   * Object URL of the small thumbnail the engine made while decoding; null until then. The page never shows
   * the original file itself: a 20000x20000 PNG would be decoded at full size on the page. Revoked when the
   * card is removed.
   */
  thumbUrl: string | null;
  status: ImageStatus;
  /** The top MAX_TOP_K predictions; the card shows the first `topK`. Kept while re-classifying. */
  predictions: Prediction[] | null;
  /** The variant that produced `predictions`. */
  variant: VariantId | null;
  totalMs: number | null;
  inferenceMs: number | null;
  sourceSize: { width: number; height: number } | null;
  /** Engine failures (worker died, GPU context lost) this image has been caught in; retried once. */
  attempts: number;
  /** How the engine read the image, when it matters (first frame of an animation, downscaled on decode). */
  notice: string | null;
  error: { code: ImageErrorCode; message: string } | null;
}

export interface ImagesSlice {
  images: ImageItem[];
  addImages: (files: readonly File[]) => void;
  removeImage: (id: string) => void;
  clearImages: () => void;
  /** Images queued since the queue was last idle: the progress bar's total. */
  queueTotal: number;
  /** Marks every image still waiting as cancelled; the ones being classified finish. */
  cancelQueue: () => void;
  /** Re-queues every image, e.g. after the model changed. */
  reclassifyAll: () => void;
  /** Continues with queued images (after a model load that failed and left the old model active). */
  resumeClassification: () => void;
}

let nextId = 1;

/**
 * Images per engine call. Batching pays on every backend (one pass amortizes per-op overheads; measured by
 * `npm run bench`), and 4 keeps the wait for a single dropped photo unchanged and memory small.
 */
export const CLASSIFY_BATCH_SIZE = 4;

/** An image caught in an engine failure is tried once more on the restarted engine, then marked failed. */
const MAX_ATTEMPTS = 1;

export const createImagesSlice: SliceCreator<ImagesSlice> = (set, get) => {
  let pumping = false;

  const update = (id: string, patch: Partial<ImageItem>) =>
    set({ images: get().images.map((img) => (img.id === id ? { ...img, ...patch } : img)) });

  /** Swaps an image's thumbnail for a new one, releasing the old object URL. */
  const replaceThumb = (id: string, thumbnail: Blob): string => {
    const old = get().images.find((img) => img.id === id)?.thumbUrl;
    if (old) URL.revokeObjectURL(old);
    return URL.createObjectURL(thumbnail);
  };

  const applyResult = (item: ImageItem, result: ClassifyResult) => {
    if (!get().images.some((img) => img.id === item.id)) return; // removed meanwhile
    if (!result.ok) {
      update(item.id, { status: 'error', error: { code: result.code, message: result.message } });
    } else if (result.variant !== get().variant) {
      update(item.id, { status: 'queued' }); // the model changed under it; run again
    } else {
      update(item.id, {
        status: 'done',
        predictions: result.predictions,
        variant: result.variant,
        totalMs: result.totalMs,
        inferenceMs: result.inferenceMs,
        sourceSize: { width: result.sourceWidth, height: result.sourceHeight },
        notice: result.notice ?? null,
        error: null,
        ...(result.thumbnail ? { thumbUrl: replaceThumb(item.id, result.thumbnail) } : {}),
      });
    }
  };

  /**
   * Classifies queued images in order, a few at a time while a model is ready: each group is one batched
   * pass in the engine (faster per image than one by one), and no more than that many images are ever
   * decoded at once, however many were dropped.
   */
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const state = get();
        const engine = getEngine();
        if (state.modelStatus !== 'ready' || !engine) break;
        const batch = state.images.filter((img) => img.status === 'queued').slice(0, CLASSIFY_BATCH_SIZE);
        if (batch.length === 0) break;
        const ids = new Set(batch.map((img) => img.id));
        set({
          images: get().images.map((img) =>
            ids.has(img.id) ? { ...img, status: 'classifying' as const } : img,
          ),
        });
        try {
          const results = await engine.classifyMany(
            batch.map((img) => img.file),
            MAX_TOP_K,
          );
          const last = results.at(-1);
          if (last) get().setMemory(last.memory);
          batch.forEach((item, i) => applyResult(item, results[i]!));
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          const engineFailed = err instanceof EngineFaultError;
          for (const item of batch) {
            if (!get().images.some((img) => img.id === item.id)) continue;
            if (engineFailed && item.attempts < MAX_ATTEMPTS) {
              // The engine is being replaced; this image goes again on the new one.
              update(item.id, { status: 'queued', attempts: item.attempts + 1 });
            } else {
              const why = engineFailed
                ? `The engine failed twice while classifying this image: ${message}`
                : message;
              update(item.id, { status: 'error', error: { code: 'internal', message: why } });
            }
          }
          if (engineFailed) break; // the restart resumes the queue once the new engine is ready
        }
      }
    } finally {
      pumping = false;
    }
  }

  return {
    images: [],

    queueTotal: 0,

    cancelQueue: () => {
      set({
        images: get().images.map((img) =>
          img.status === 'queued'
            ? {
                ...img,
                status: 'error' as const,
                error: { code: 'cancelled' as const, message: 'Cancelled before it was classified.' },
              }
            : img,
        ),
      });
    },

    addImages: (files) => {
      if (files.length === 0) return;
      const added: ImageItem[] = files.map((file) => ({
        id: `img-${nextId++}`,
        fileName: file.name || 'pasted image',
        file,
        thumbUrl: null,
        status: 'queued',
        predictions: null,
        variant: null,
        totalMs: null,
        inferenceMs: null,
        sourceSize: null,
        notice: null,
        attempts: 0,
        error: null,
      }));
      const pending = get().images.filter((i) => i.status === 'queued' || i.status === 'classifying').length;
      set({
        images: [...get().images, ...added],
        queueTotal: (pending > 0 ? get().queueTotal : 0) + added.length,
      });
      void pump();
    },

    removeImage: (id) => {
      const img = get().images.find((i) => i.id === id);
      if (img?.thumbUrl) URL.revokeObjectURL(img.thumbUrl);
      set({ images: get().images.filter((i) => i.id !== id) });
      if (get().inspectedImageId === id) get().closeInspector();
    },

    clearImages: () => {
      get().images.forEach((img) => img.thumbUrl && URL.revokeObjectURL(img.thumbUrl));
      set({ images: [], queueTotal: 0 });
      get().closeInspector();
    },

    resumeClassification: () => void pump(),

    reclassifyAll: () => {
      // Cancelled images stay cancelled: the user said they did not want them classified.
      const requeue = (img: ImageItem) => img.error?.code !== 'cancelled';
      const images = get().images.map((img) => (requeue(img) ? { ...img, status: 'queued' as const } : img));
      set({ images, queueTotal: images.filter(requeue).length });
      void pump();
    },
  };
};
