/** The ways in besides picking files: dropped folders walked recursively, a picked folder, and an image's address. */
import {
  MAX_FOLDER_IMAGES,
  imagesInDirectories,
  imagesInPickedFolder,
  snapshotDrop,
  splitLooseFiles,
} from '../client/droppedItems';
import type { FolderImages } from '../client/droppedItems';
import { ImageUrlError, imageFromUrl } from '../client/imageFromUrl';
import type { ImageUrlErrorCode } from '../client/imageFromUrl';
import type { SliceCreator } from './types';

/** The most images one folder brings in, for the page to say. */
export { MAX_FOLDER_IMAGES };

export interface UrlIntake {
  status: 'idle' | 'loading' | 'error';
  /** The address being loaded, or the one that failed. */
  url: string | null;
  error: { code: ImageUrlErrorCode; message: string } | null;
}

export interface IntakeSlice {
  /** What the page left out of the last folder (non-images, hidden files, beyond the limit); null when nothing. */
  intakeNotice: string | null;
  dismissIntakeNotice: () => void;
  urlIntake: UrlIntake;
  /**
   * Takes what was dropped: folders (walked, images only, each keeping its path), loose files (weight files
   * load as weights, the rest as images, as they always have), or a link from another page. Reads the
   * DataTransfer before its first await, as a drop's data is gone once the event handler returns.
   */
  addDrop: (data: DataTransfer) => Promise<void>;
  /** The files of an `<input webkitdirectory>`: its images, with their paths. */
  addPickedFolder: (files: readonly File[]) => void;
  /** Fetches the image at an address and adds it; failures land in `urlIntake.error`. */
  addImageFromUrl: (url: string) => Promise<void>;
  cancelUrlLoad: () => void;
  dismissUrlError: () => void;
}

const IDLE: UrlIntake = { status: 'idle', url: null, error: null };

const count = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** What a folder intake left out, in a sentence or two; null when it took everything. */
export function folderNotice(result: FolderImages, limit = MAX_FOLDER_IMAGES): string | null {
  const parts: string[] = [];
  if (result.found > result.images.length && result.found > limit) {
    parts.push(
      `The folder holds ${count(result.found, 'image')}; the first ${count(limit, 'image')} in path order were taken. Drop the rest as a folder of its own to classify them.`,
    );
  }
  if (result.skipped > 0) {
    const one = result.skipped === 1;
    parts.push(
      `${count(result.skipped, 'file')} (hidden, or not ${one ? 'an image' : 'images'}) ${one ? 'was' : 'were'} left out.`,
    );
  }
  if (result.unreadable > 0) {
    parts.push(`${count(result.unreadable, 'entry', 'entries')} could not be read.`);
  }
  return parts.length > 0 ? parts.join(' ') : null;
}

export const createIntakeSlice: SliceCreator<IntakeSlice> = (set, get) => {
  let urlAbort: AbortController | null = null;

  return {
    intakeNotice: null,
    dismissIntakeNotice: () => set({ intakeNotice: null }),
    urlIntake: IDLE,

    addDrop: async (data) => {
      const dropped = snapshotDrop(data);
      if (dropped.url !== null) {
        await get().addImageFromUrl(dropped.url);
        return;
      }
      const loose = splitLooseFiles(dropped.files);
      if (loose.weights.length > 0) void get().loadWeightsFromFiles(loose.weights);
      get().addImages(loose.images);
      if (dropped.directories.length === 0) return;
      const found = await imagesInDirectories(dropped.directories);
      set({ intakeNotice: folderNotice(found) });
      get().addImages(
        found.images.map((f) => ({ file: f.file, name: f.file.name, relativePath: f.relativePath })),
      );
    },

    addPickedFolder: (files) => {
      const found = imagesInPickedFolder(files);
      set({ intakeNotice: folderNotice(found) });
      get().addImages(
        found.images.map((f) => ({ file: f.file, name: f.file.name, relativePath: f.relativePath })),
      );
    },

    addImageFromUrl: async (url) => {
      urlAbort?.abort();
      const controller = new AbortController();
      urlAbort = controller;
      set({ urlIntake: { status: 'loading', url, error: null } });
      try {
        const fetched = await imageFromUrl(url, { signal: controller.signal });
        if (urlAbort !== controller) return;
        urlAbort = null;
        set({ urlIntake: IDLE });
        get().addImages([{ file: fetched.file, name: fetched.file.name, relativePath: null }]);
      } catch (err) {
        if (urlAbort !== controller) return; // a newer address replaced this one
        urlAbort = null;
        if (err instanceof ImageUrlError && err.code === 'cancelled') {
          set({ urlIntake: IDLE });
          return;
        }
        const error =
          err instanceof ImageUrlError
            ? { code: err.code, message: err.message }
            : { code: 'network' as const, message: err instanceof Error ? err.message : String(err) };
        set({ urlIntake: { status: 'error', url, error } });
      }
    },

    cancelUrlLoad: () => urlAbort?.abort(),

    dismissUrlError: () => {
      if (get().urlIntake.status === 'error') set({ urlIntake: IDLE });
    },
  };
};
