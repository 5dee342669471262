/**
 * The files of a folder picked or dropped to teach, every one of them with its path: unlike the drop zone, which
 * takes only images, teaching lists what it leaves out, so non-images are kept here for teachingFolder to name.
 */
import { readAllEntries } from './droppedItems';
import type { DirectoryEntryLike, DropSnapshot, EntryLike, FileEntryLike } from './droppedItems';
import type { TeachRunFile } from './teachRun';

/** A picked file as teaching reads it: its path inside the folder picked (a loose file: its name). */
export function teachRunFile(file: File, path = file.webkitRelativePath || file.name): TeachRunFile {
  return { path, name: file.name, type: file.type, blob: file };
}

const isDirectory = (entry: EntryLike): entry is DirectoryEntryLike => entry.isDirectory;
const isFileEntry = (entry: EntryLike): entry is FileEntryLike => entry.isFile;

/**
 * Every file of a drop: dropped folders walked to the end, loose files by their names. Hidden folders are not
 * entered (teachingFolder leaves their files out without a word anyway); entries that cannot be read are left
 * out, as a file removed meanwhile would be.
 */
export async function teachingFilesOfDrop({ directories, files }: DropSnapshot): Promise<TeachRunFile[]> {
  const found: TeachRunFile[] = files.map((file) => teachRunFile(file, file.name));
  const visit = async (directory: DirectoryEntryLike): Promise<void> => {
    let entries: EntryLike[];
    try {
      entries = await readAllEntries(directory);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (isDirectory(entry)) {
        if (!entry.name.startsWith('.')) await visit(entry);
      } else if (isFileEntry(entry)) {
        try {
          const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
          found.push(teachRunFile(file, entry.fullPath.replace(/^\/+/, '')));
        } catch {
          // Gone since the drop: nothing to teach from.
        }
      }
    }
  };
  for (const directory of directories) await visit(directory);
  return found;
}
