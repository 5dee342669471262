/**
 * What a drop or a folder pick brings in: loose files, whole folders walked recursively (each image keeping its
 * path inside the folder), or a link dragged from another tab. Only images are taken from folders.
 */
import { looksLikeWeightsFile } from '../shared/weightsFormat';

/** How many images of one drop or folder pick are taken; beyond it, the first ones in path order. */
export const MAX_FOLDER_IMAGES = 2000;

/** An image found in a folder, with its path inside what was dropped or picked ("photos/tabby/a.jpg"). */
export interface FolderFile {
  file: File;
  relativePath: string;
}

/*
 * The parts of the File and Directory Entries API used here, as structural types: the browser's own entries
 * fit them, and so do the tests' fakes.
 */
export interface EntryLike {
  readonly name: string;
  readonly fullPath: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}
export interface FileEntryLike extends EntryLike {
  file(success: (file: File) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryReaderLike {
  readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): DirectoryReaderLike;
}

const isDirectory = (entry: EntryLike): entry is DirectoryEntryLike => entry.isDirectory;
const isFileEntry = (entry: EntryLike): entry is FileEntryLike => entry.isFile;

/** Read from the drop event itself: a DataTransfer's items are gone once the event handler returns. */
export interface DropSnapshot {
  /** Dropped folders, to walk. */
  directories: DirectoryEntryLike[];
  /** Dropped files, in the order they came. */
  files: File[];
  /** An http(s) link or image dragged from another page, when nothing else came with it. */
  url: string | null;
}

/**
 * File name endings taken for images when the browser gives no type: what Chromium decodes, and the formats the
 * engine recognises to name in a refusal (HEIC, TIFF, JPEG XL).
 */
const IMAGE_EXTENSIONS =
  /\.(jpe?g|jfif|pjpeg|pjp|png|apng|gif|webp|avif|bmp|dib|ico|cur|svgz?|heic|heif|tiff?|jxl)$/i;

/** An image by its type or, where the browser has none for it, its name. */
export function looksLikeImage(file: { name: string; type?: string }): boolean {
  if (file.type?.startsWith('image/')) return true;
  return IMAGE_EXTENSIONS.test(file.name);
}

/** A file or folder name that file managers hide (".DS_Store", ".git"); nothing inside a hidden folder counts. */
export function isHiddenPath(path: string): boolean {
  return path
    .split(/[\\/]/)
    .some((segment) => segment.startsWith('.') && segment !== '.' && segment !== '..');
}

/** The text dropped as a link, if it is one line of http(s): text/uri-list first (comments skipped), then text. */
export function linkFromText(uriList: string, plain: string): string | null {
  const fromList = uriList
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('#'));
  for (const candidate of [fromList, plain.trim()]) {
    if (candidate && /^https?:\/\/\S+$/i.test(candidate)) return candidate;
  }
  return null;
}

/** Everything a drop carries, read synchronously inside the drop handler. */
export function snapshotDrop(data: DataTransfer): DropSnapshot {
  const directories: DirectoryEntryLike[] = [];
  const files: File[] = [];
  const items = Array.from(data.items ?? []).filter((item) => item.kind === 'file');
  if (items.length > 0) {
    for (const item of items) {
      // webkitGetAsEntry is the only way to see that an item is a folder; every Chromium, Firefox and Safari has it.
      const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
      if (entry && isDirectory(entry)) {
        directories.push(entry);
        continue;
      }
      const file = item.getAsFile();
      if (file) files.push(file);
    }
  } else {
    files.push(...Array.from(data.files ?? []));
  }
  const url =
    directories.length === 0 && files.length === 0
      ? linkFromText(data.getData('text/uri-list'), data.getData('text/plain'))
      : null;
  return { directories, files, url };
}

/** Every entry of a directory: readEntries hands them over in batches (100 in Chromium) until an empty one. */
export async function readAllEntries(directory: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = directory.createReader();
  const all: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function fileOf(entry: FileEntryLike): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** The path of an entry inside the drop: its fullPath without the leading slash. */
const pathOf = (entry: EntryLike) => entry.fullPath.replace(/^\/+/, '') || entry.name;

/** Orders paths as a file manager does: "img2" before "img10", case aside. */
const byPath = (a: string, b: string) =>
  a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });

export interface FolderImages {
  /** The images taken, in path order: at most `limit`. */
  images: FolderFile[];
  /** How many images the folders held in all (more than `images` when the limit cut them). */
  found: number;
  /** Files left out: hidden, or not images. */
  skipped: number;
  /** Entries that could not be read (removed meanwhile, no permission). */
  unreadable: number;
}

/**
 * Walks dropped folders recursively and takes their images, each with its path. File entries are opened only
 * for the images taken, so a folder of 100,000 photos costs one listing, not 100,000 file reads.
 */
export async function imagesInDirectories(
  directories: readonly DirectoryEntryLike[],
  limit = MAX_FOLDER_IMAGES,
): Promise<FolderImages> {
  const found: FileEntryLike[] = [];
  let skipped = 0;
  let unreadable = 0;
  const visit = async (directory: DirectoryEntryLike): Promise<void> => {
    let entries: EntryLike[];
    try {
      entries = await readAllEntries(directory);
    } catch {
      unreadable++;
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) {
        if (entry.isFile) skipped++;
      } else if (isDirectory(entry)) {
        await visit(entry);
      } else if (isFileEntry(entry) && looksLikeImage({ name: entry.name })) {
        found.push(entry);
      } else {
        skipped++;
      }
    }
  };
  for (const directory of directories) await visit(directory);
  found.sort((a, b) => byPath(pathOf(a), pathOf(b)));
  const taken = found.slice(0, limit);
  const files = await Promise.all(
    taken.map(async (entry) => {
      try {
        return { file: await fileOf(entry), relativePath: pathOf(entry) };
      } catch {
        unreadable++;
        return null;
      }
    }),
  );
  return {
    images: files.filter((f): f is FolderFile => f !== null),
    found: found.length,
    skipped,
    unreadable,
  };
}

/**
 * The images of a folder picked with `<input webkitdirectory>`: every file arrives flat, with its path in
 * webkitRelativePath; hidden ones and non-images are left out, and at most `limit` taken, in path order.
 */
export function imagesInPickedFolder(files: readonly File[], limit = MAX_FOLDER_IMAGES): FolderImages {
  const images: FolderFile[] = [];
  let skipped = 0;
  for (const file of files) {
    const relativePath = file.webkitRelativePath || file.name;
    if (isHiddenPath(relativePath) || !looksLikeImage(file)) skipped++;
    else images.push({ file, relativePath });
  }
  images.sort((a, b) => byPath(a.relativePath, b.relativePath));
  return { images: images.slice(0, limit), found: images.length, skipped, unreadable: 0 };
}

/** Loose dropped files split as the drop zone always has: weight files to load as weights, the rest as images. */
export function splitLooseFiles(files: readonly File[]): { weights: File[]; images: File[] } {
  return {
    weights: files.filter((f) => looksLikeWeightsFile(f.name)),
    images: files.filter((f) => !looksLikeWeightsFile(f.name)),
  };
}
