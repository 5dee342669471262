/** The dropped images and their answers; the classification queue (client/classificationQueue.ts) feeds them to the engine. */
import { afterNextPaint } from '../client/afterNextPaint';
import { ClassificationQueue } from '../client/classificationQueue';
import { MAX_TOP_K } from '../shared/predictions';
import type { Prediction } from '../shared/predictions';
import type { ClassifyResult, ImageErrorCode } from '../shared/protocol';
import type { VariantId } from '../shared/variants';
import type { SliceCreator } from './types';
import { readyModel } from './modelRequest';

export type ImageStatus = 'queued' | 'classifying' | 'done' | 'error';

export interface ImageItem {
  id: string;
  fileName: string;
  /**
   * Where the image sat inside a dropped or picked folder, `/`-separated and starting with that folder's own
   * name ("photos/tabby/a.jpg"); null for a loose file, a paste or an address.
   */
  relativePath: string | null;
  file: Blob;
  /**
   * Object URL of the small thumbnail the engine made while decoding; null until the page asks for it after the
   * first answer. The page never shows the original file itself: a 20000x20000 PNG would be decoded at full size
   * on the page. Revoked when the card is removed.
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

/** An image to add with what the File itself does not say: its name and its path inside a folder. */
export interface NewImage {
  file: Blob;
  name: string;
  relativePath: string | null;
}

/** A plain File keeps the path a folder pick gave it (webkitRelativePath; empty for a loose file). */
function asNewImage(item: File | NewImage): NewImage {
  if (item instanceof Blob) {
    return { file: item, name: item.name, relativePath: item.webkitRelativePath || null };
  }
  return item;
}

export interface ImagesSlice {
  images: ImageItem[];
  addImages: (files: readonly (File | NewImage)[]) => void;
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

export const createImagesSlice: SliceCreator<ImagesSlice> = (set, get, _store, context) => {
  let nextId = 1;
  const update = (id: string, patch: Partial<ImageItem>) =>
    set({ images: get().images.map((img) => (img.id === id ? { ...img, ...patch } : img)) });

  /**
   * Asks the engine for the card's thumbnail once its answer is shown (the engine encodes it after answering, so
   * it never delays the answer). A card that has one keeps it: a re-classification is of the same image.
   */
  const fetchThumbnail = (id: string) => {
    context.engine?.thumbnail(id).then(
      (thumbnail) => {
        const waiting = get().images.some((img) => img.id === id && img.thumbUrl === null);
        if (thumbnail && waiting) update(id, { thumbUrl: URL.createObjectURL(thumbnail) });
      },
      () => {
        // The engine went (a fault, a backend change): the card keeps its placeholder until classified again.
      },
    );
  };

  const applyResult = (id: string, result: ClassifyResult) => {
    if (!result.ok) {
      update(id, { status: 'error', error: { code: result.code, message: result.message } });
      return;
    }
    update(id, {
      status: 'done',
      predictions: result.predictions,
      variant: result.variant,
      totalMs: result.totalMs,
      inferenceMs: result.inferenceMs,
      sourceSize: { width: result.sourceWidth, height: result.sourceHeight },
      notice: result.notice ?? null,
      error: null,
    });
    if (get().images.find((img) => img.id === id)?.thumbUrl === null) fetchThumbnail(id);
  };

  const queue = new ClassificationQueue(
    {
      readyModel: () => readyModel(get(), context),
      started: (ids) => {
        const starting = new Set(ids);
        set({
          images: get().images.map((img) =>
            starting.has(img.id) ? { ...img, status: 'classifying' as const } : img,
          ),
        });
      },
      drawn: afterNextPaint,
      finished: applyResult,
      failed: (id, message, retrying) =>
        update(
          id,
          retrying
            ? { status: 'queued', attempts: (get().images.find((img) => img.id === id)?.attempts ?? 0) + 1 }
            : { status: 'error', error: { code: 'internal', message } },
        ),
    },
    MAX_TOP_K,
  );

  return {
    images: [],

    queueTotal: 0,

    cancelQueue: () => {
      const cancelled = new Set(queue.cancelPending());
      set({
        images: get().images.map((img) =>
          cancelled.has(img.id)
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
      const added: ImageItem[] = files.map(asNewImage).map(({ file, name, relativePath }) => ({
        id: `img-${nextId++}`,
        fileName: name || 'pasted image',
        relativePath,
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
      queue.add(added.map((img) => ({ id: img.id, blob: img.file })));
    },

    removeImage: (id) => {
      const img = get().images.find((i) => i.id === id);
      if (img?.thumbUrl) URL.revokeObjectURL(img.thumbUrl);
      queue.remove(id);
      set({ images: get().images.filter((i) => i.id !== id) });
      if (get().inspectedImageId === id) get().closeInspector();
    },

    clearImages: () => {
      get().images.forEach((img) => img.thumbUrl && URL.revokeObjectURL(img.thumbUrl));
      queue.clear();
      set({ images: [], queueTotal: 0 });
      get().closeInspector();
    },

    resumeClassification: () => queue.resume(),

    reclassifyAll: () => {
      // Cancelled images stay cancelled: the user said they did not want them classified.
      const requeue = (img: ImageItem) => img.error?.code !== 'cancelled';
      const images = get().images.map((img) => (requeue(img) ? { ...img, status: 'queued' as const } : img));
      set({ images, queueTotal: images.filter(requeue).length });
      queue.restart(images.filter(requeue).map((img) => ({ id: img.id, blob: img.file })));
    },
  };
};
