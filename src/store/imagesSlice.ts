import type { ImageErrorCode } from '../inference/protocol';
import { MAX_TOP_K } from '../model/topKLimits';
import type { Prediction } from '../model/topK';
import type { VariantId } from '../model/variants';
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
  /** How the engine read the image, when it matters (first frame of an animation, downscaled on decode). */
  notice: string | null;
  error: { code: ImageErrorCode; message: string } | null;
}

export interface ImagesSlice {
  images: ImageItem[];
  addImages: (files: readonly File[]) => void;
  removeImage: (id: string) => void;
  clearImages: () => void;
  /** Re-queues every image, e.g. after the model changed. */
  reclassifyAll: () => void;
  /** Continues with queued images (after a model load that failed and left the old model active). */
  resumeClassification: () => void;
}

let nextId = 1;

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

  /** Classifies queued images one at a time, in order, while a model is ready. */
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const state = get();
        const engine = getEngine();
        if (state.modelStatus !== 'ready' || !engine) break;
        const next = state.images.find((img) => img.status === 'queued');
        if (!next) break;
        update(next.id, { status: 'classifying' });
        try {
          const result = await engine.classify(next.file, MAX_TOP_K);
          get().setMemory(result.memory);
          if (!get().images.some((img) => img.id === next.id)) continue; // removed meanwhile
          if (!result.ok) {
            update(next.id, { status: 'error', error: { code: result.code, message: result.message } });
          } else if (result.variant !== get().variant) {
            update(next.id, { status: 'queued' }); // the model changed under it; run again
          } else {
            update(next.id, {
              status: 'done',
              predictions: result.predictions,
              variant: result.variant,
              totalMs: result.totalMs,
              inferenceMs: result.inferenceMs,
              sourceSize: { width: result.sourceWidth, height: result.sourceHeight },
              notice: result.notice ?? null,
              error: null,
              ...(result.thumbnail ? { thumbUrl: replaceThumb(next.id, result.thumbnail) } : {}),
            });
          }
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          update(next.id, { status: 'error', error: { code: 'internal', message } });
        }
      }
    } finally {
      pumping = false;
    }
  }

  return {
    images: [],

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
        error: null,
      }));
      set({ images: [...get().images, ...added] });
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
      set({ images: [] });
      get().closeInspector();
    },

    resumeClassification: () => void pump(),

    reclassifyAll: () => {
      set({ images: get().images.map((img) => ({ ...img, status: 'queued' as const })) });
      void pump();
    },
  };
};
