/**
 * A folder picked or dropped to teach new classes, read as a labeled set: one subfolder per class (its name is the
 * class's), images anywhere inside it. What cannot take part is listed with the reason, never silently dropped.
 */
import { isHiddenPath, looksLikeImage } from './droppedItems';

export interface TeachingFile {
  /** Relative to what was picked or dropped (`webkitRelativePath`, or the dropped entry's path). */
  path: string;
  name: string;
  type?: string;
}

export interface TeachingClass {
  name: string;
  /** Indices into the files given, in their order. */
  files: number[];
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface TeachingFolder {
  /** The folder's own name when one folder holds the classes (the taught model's default name), else null. */
  rootName: string | null;
  /** In order of first appearance. */
  classes: TeachingClass[];
  skipped: SkippedFile[];
}

const segmentsOf = (path: string) => path.split(/[\\/]/).filter((s) => s !== '' && s !== '.');

/**
 * Groups files by class. Picking "pets" gives paths "pets/cat/a.jpg": the classes are the folders inside the one
 * root. Dropping the class folders themselves gives "cat/a.jpg", "dog/b.jpg": there the first folder is the class.
 * Hidden files (".DS_Store") are left out without a word; anything else that is not an image in a class folder
 * is listed in `skipped`.
 */
export function teachingFolder(files: readonly TeachingFile[]): TeachingFolder {
  const visible = files.map((f, index) => ({ ...f, index, segments: segmentsOf(f.path) }));
  const shown = visible.filter((f) => !isHiddenPath(f.path));
  const roots = new Set(shown.map((f) => (f.segments.length > 1 ? f.segments[0] : null)));
  const oneRoot = roots.size === 1 && !roots.has(null) ? [...roots][0]! : null;
  const depth = oneRoot === null ? 0 : 1;

  const classes = new Map<string, TeachingClass>();
  const skipped: SkippedFile[] = [];
  for (const file of shown) {
    if (!looksLikeImage(file)) {
      skipped.push({ path: file.path, reason: 'not an image' });
      continue;
    }
    // A class folder must enclose the file: the file's own name is the last segment.
    const className = file.segments.length > depth + 1 ? file.segments[depth]! : null;
    if (className === null) {
      skipped.push({ path: file.path, reason: 'not inside a class folder' });
      continue;
    }
    const entry = classes.get(className) ?? { name: className, files: [] };
    entry.files.push(file.index);
    classes.set(className, entry);
  }
  return { rootName: oneRoot, classes: [...classes.values()], skipped };
}
