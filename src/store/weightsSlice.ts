/** Weights from files, URLs and the browser's cache: downloading with progress, loading, caching, exporting. */
import type { Progress } from '../shared/progress';
import type { ModelInfo, ModelSource } from '../shared/protocol';
import type { NamedBuffer } from '../shared/weightsFormat';
import {
  CachedWeightsCorruptError,
  cacheAvailable,
  deleteCachedWeights,
  listCachedWeights,
  cachedWeightsId,
  putCachedWeights,
  readCachedWeights,
  recordCachedWeightsVariant,
} from '../client/weightsCache';
import type { CachedWeights } from '../client/weightsCache';
import { DownloadError, downloadWeights, fileNameFromUrl } from '../client/weightsDownload';
import type { ModelSummary } from '../shared/modelSummary';
import { FLAVOR_LABELS, VARIANTS } from '../shared/variants';
import { saveToDisk } from './saveToDisk';
import type { SliceCreator } from './types';

export interface WeightsSlice {
  /** A download in progress (null when none); its message names what is downloaded. */
  download: Progress | null;
  cachedWeights: CachedWeights[];
  /** Outcome of the last cache write, e.g. a full quota; the model loads regardless. */
  cacheNote: string | null;
  /**
   * Said when loaded weights replaced the active model with another depth or layout (the file decides the
   * architecture); `weightsName` ties it to those weights, so it goes stale once other weights are active.
   */
  weightsNote: { text: string; weightsName: string } | null;
  loadWeightsFromFiles: (files: readonly File[]) => Promise<void>;
  loadWeightsFromUrl: (url: string) => Promise<void>;
  cancelDownload: () => void;
  loadCachedWeights: (id: string) => Promise<void>;
  deleteCachedWeights: (id: string) => Promise<void>;
  refreshCachedWeights: () => Promise<void>;
  exportModel: () => Promise<void>;
}

/** What changed when weights from `name` replaced the `before` model with `after`, or null if nothing did. */
export function architectureChangeNote(
  name: string,
  before: Pick<ModelSummary, 'variant' | 'flavor'> | null,
  after: Pick<ModelSummary, 'variant' | 'flavor'>,
): string | null {
  if (!before || (before.variant === after.variant && before.flavor === after.flavor)) return null;
  const label = VARIANTS[after.variant].label;
  const holds = `${name} holds ${label} weights in ${FLAVOR_LABELS[after.flavor]}`;
  if (before.variant !== after.variant) {
    return `${holds}, so the model switched from ${VARIANTS[before.variant].label} to ${label}.`;
  }
  return `${holds}, so ${label} was rebuilt in that layout (it was ${FLAVOR_LABELS[before.flavor]}).`;
}

export const createWeightsSlice: SliceCreator<WeightsSlice> = (set, get, _store, context) => {
  let abort: AbortController | null = null;

  /**
   * Loads weights into the engine and, once they proved loadable, caches them. `again` reads them anew for a
   * new engine (after a fault or a backend change): the buffers themselves are handed to this one.
   */
  async function loadWeights(
    source: Extract<ModelSource, { kind: 'files' }>,
    cacheAs: 'file' | 'url' | null,
    again: () => Promise<NamedBuffer[]>,
  ): Promise<ModelInfo | null> {
    // Blob copies for the cache: the buffers themselves are transferred to the worker.
    const blobs = cacheAs ? source.files.map((f) => ({ name: f.name, blob: new Blob([f.data]) })) : [];
    const before = get().summary;
    const info = await get().loadModel(`weights from ${source.name}`, source, {
      again: async () => ({ ...source, files: await again() }),
    });
    if (!info) return null;
    const note = architectureChangeNote(info.weights.name, before, info.summary);
    set({ weightsNote: note ? { text: note, weightsName: info.weights.name } : null });
    if (!cacheAs || !cacheAvailable()) return info;
    try {
      // The variant is known only now that the weights loaded; compare mode names cached models by it.
      await putCachedWeights(cacheAs, source.name, blobs, info.summary.variant);
      set({ cacheNote: null });
    } catch (err) {
      const reason =
        err instanceof DOMException && err.name === 'QuotaExceededError'
          ? 'the storage quota is full'
          : String(err);
      set({ cacheNote: `The weights are loaded but could not be cached for offline use: ${reason}.` });
    }
    await get().refreshCachedWeights();
    return info;
  }

  return {
    download: null,
    cachedWeights: [],
    cacheNote: null,
    weightsNote: null,

    loadWeightsFromFiles: async (files) => {
      if (files.length === 0) return;
      // The File objects are kept (references to the user's files, not copies) to read them again.
      const read = () =>
        Promise.all(
          files.map(async (f): Promise<NamedBuffer> => ({ name: f.name, data: await f.arrayBuffer() })),
        );
      const jsonFile = files.find((f) => /\.json$/i.test(f.name));
      const name = jsonFile ? jsonFile.name : files.map((f) => f.name).join(', ');
      await loadWeights({ kind: 'files', origin: 'file', name, files: await read() }, 'file', read);
    },

    loadWeightsFromUrl: async (url) => {
      if (!context.engine) return;
      abort?.abort();
      const controller = new AbortController();
      abort = controller;
      set({
        download: { fraction: null, message: `Downloading ${fileNameFromUrl(url)}`, loaded: 0, total: null },
      });
      let data: ArrayBuffer;
      try {
        data = await downloadWeights(
          url,
          (progress) => {
            if (abort === controller) set({ download: progress });
          },
          controller.signal,
        );
      } catch (err) {
        if (abort === controller) {
          abort = null;
          // A cancel is the user's own choice, not an error to shout about.
          if (err instanceof DownloadError && err.code === 'cancelled') set({ download: null });
          else
            set({
              download: null,
              appError: `Could not download ${url}: ${err instanceof Error ? err.message : String(err)}`,
            });
        }
        return;
      }
      if (abort !== controller) return; // superseded by another download
      abort = null;
      set({ download: null });
      const fileName = new URL(url, window.location.href).pathname.split('/').pop() || 'weights';
      // Again: from the copy cached after this load, else from the URL itself.
      const again = async (): Promise<NamedBuffer[]> => {
        if (cacheAvailable()) {
          try {
            return await readCachedWeights(cachedWeightsId('url', url));
          } catch {
            // Not cached (e.g. the quota was full): download it once more.
          }
        }
        const bytes = await downloadWeights(url, () => undefined, new AbortController().signal);
        return [{ name: fileName, data: bytes }];
      };
      await loadWeights(
        { kind: 'files', origin: 'url', name: url, files: [{ name: fileName, data }] },
        'url',
        again,
      );
    },

    cancelDownload: () => {
      abort?.abort();
    },

    loadCachedWeights: async (id) => {
      const entry = get().cachedWeights.find((e) => e.id === id);
      if (!entry) return;
      let files: NamedBuffer[];
      try {
        files = await readCachedWeights(id);
      } catch (err) {
        await get().refreshCachedWeights();
        if (err instanceof CachedWeightsCorruptError && entry.source === 'url') {
          // Dropped; its source is still out there: fetch it again (and cache the good copy).
          set({ appError: `${err.message} Downloading it again from ${entry.name}.` });
          await get().loadWeightsFromUrl(entry.name);
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        set({
          appError:
            err instanceof CachedWeightsCorruptError ? `${message} Open the file again to use it.` : message,
        });
        return;
      }
      const info = await loadWeights({ kind: 'files', origin: 'cache', name: entry.name, files }, null, () =>
        readCachedWeights(id),
      );
      // An entry cached before variants were recorded learns its variant the first time it loads.
      if (info && !entry.variant) {
        await recordCachedWeightsVariant(id, info.summary.variant).catch(() => undefined);
        await get().refreshCachedWeights();
      }
    },

    deleteCachedWeights: async (id) => {
      await deleteCachedWeights(id);
      await get().refreshCachedWeights();
    },

    refreshCachedWeights: async () => {
      try {
        set({ cachedWeights: await listCachedWeights() });
      } catch {
        set({ cachedWeights: [] });
      }
    },

    exportModel: async () => {
      const { engine } = context;
      const handle = get().modelHandle;
      if (!engine || !handle) return;
      try {
        const exported = await engine.exportModel(handle);
        saveToDisk(exported.jsonName, exported.modelJson, 'application/json');
        saveToDisk(exported.binName, exported.weightsBin, 'application/octet-stream');
      } catch (err) {
        set({ appError: `Could not export the model: ${err instanceof Error ? err.message : String(err)}` });
      }
    },
  };
};
