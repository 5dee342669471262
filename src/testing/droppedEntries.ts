/**
 * Fakes of what a drop hands the page, for tests: a folder tree as Chromium's file-system entries (read in
 * batches until an empty one, as Chromium does) and a DataTransfer carrying them, files and text.
 */
import type { DirectoryEntryLike, EntryLike, FileEntryLike } from '../client/droppedItems';

/** A fake folder tree: a string is a file's content, an object a folder. */
export type Tree = { [name: string]: string | Tree };

export interface FakeTreeOptions {
  parentPath?: string;
  /** Entries per readEntries call (Chromium: 100). */
  batch?: number;
  /** Told the full path of each file opened: a walker should open only the images it takes. */
  onOpen?: (fullPath: string) => void;
}

export function fakeDirectory(
  name: string,
  tree: Tree,
  { parentPath = '', batch = 3, onOpen }: FakeTreeOptions = {},
): DirectoryEntryLike {
  const fullPath = `${parentPath}/${name}`;
  const children: EntryLike[] = Object.entries(tree).map(([child, value]) =>
    typeof value === 'string'
      ? fakeFile(child, value, { parentPath: fullPath, onOpen })
      : fakeDirectory(child, value, { parentPath: fullPath, batch, onOpen }),
  );
  return {
    name,
    fullPath,
    isFile: false,
    isDirectory: true,
    createReader() {
      let at = 0;
      return {
        readEntries(success) {
          const next = children.slice(at, at + batch);
          at += next.length;
          setTimeout(() => success(next), 0);
        },
      };
    },
  };
}

export function fakeFile(
  name: string,
  content: string,
  { parentPath = '', onOpen }: Pick<FakeTreeOptions, 'parentPath' | 'onOpen'> = {},
): FileEntryLike {
  const fullPath = `${parentPath}/${name}`;
  return {
    name,
    fullPath,
    isFile: true,
    isDirectory: false,
    file(success) {
      onOpen?.(fullPath);
      setTimeout(() => success(new File([content], name)), 0);
    },
  };
}

/** A DataTransfer as Chromium hands it to a drop handler: items with their entries, files, and text by type. */
export function fakeDataTransfer(
  items: { file: File; entry: EntryLike | null }[],
  text: Record<string, string> = {},
): DataTransfer {
  return {
    items: items.map(({ file, entry }) => ({
      kind: 'file',
      getAsFile: () => file,
      webkitGetAsEntry: () => entry,
    })),
    files: items.map((i) => i.file),
    getData: (type: string) => text[type] ?? '',
  } as unknown as DataTransfer;
}
