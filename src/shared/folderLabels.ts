/**
 * The true class of an image in a labeled folder (e.g. "photos/tabby/img1.jpg" is a tabby): the folder's name is
 * a class label as the app shows it, or a class index, so a dropped folder can be scored for accuracy.
 */
import { IMAGENET_LABELS } from './imagenetLabels';
import { NUM_CLASSES } from './variants';

export type FolderLabel =
  | { classIndex: number; folder: string }
  /**
   * `no-folder`: the file is not inside a folder; `unknown`: no enclosing folder names a class (`folder` is the
   * file's own); `ambiguous`: the nearest folder that names a class is a label two classes share (`folder` is
   * that one).
   */
  | { classIndex: null; folder: string | null; reason: 'no-folder' | 'unknown' | 'ambiguous' };

export interface AmbiguousLabel {
  /** The name as a folder would match it: lower case, spaces for underscores. */
  name: string;
  classIndices: number[];
}

/** Lower case, `_` as space, trimmed: "German_Shepherd " and "german shepherd" name the same class. */
function folderKey(name: string): string {
  return name.replace(/_/g, ' ').trim().toLowerCase();
}

const CLASSES_BY_KEY = new Map<string, number[]>();
IMAGENET_LABELS.forEach((label, classIndex) => {
  const key = folderKey(label);
  CLASSES_BY_KEY.set(key, [...(CLASSES_BY_KEY.get(key) ?? []), classIndex]);
});

const AMBIGUOUS_LABELS: readonly AmbiguousLabel[] = [...CLASSES_BY_KEY]
  .filter(([, classIndices]) => classIndices.length > 1)
  .map(([name, classIndices]) => ({ name, classIndices }));

/** The label names that two classes share (crane, cardigan, maillot): such a folder must use the class index. */
export function ambiguousLabels(): readonly AmbiguousLabel[] {
  return AMBIGUOUS_LABELS;
}

/**
 * What a single folder name says: a class, two classes, or nothing. An index is a plain decimal 0-999 with no
 * sign, exponent or leading zero, so "007" or "1e2" (which Number() would accept) never pass for a class.
 */
export function classFromFolderName(name: string): number | 'ambiguous' | null {
  const key = folderKey(name);
  if (/^(0|[1-9][0-9]{0,2})$/.test(key)) {
    const index = Number(key);
    return index < NUM_CLASSES ? index : null;
  }
  const classIndices = CLASSES_BY_KEY.get(key);
  if (!classIndices) return null;
  return classIndices.length === 1 ? classIndices[0]! : 'ambiguous';
}

/**
 * The class of the file at `path` (relative to the dropped folder, `/` or `\` separated): the nearest enclosing
 * folder that names a class wins, so "animals/tabby/2023/a.jpg" is a tabby. An ambiguous name stops the walk
 * rather than letting a folder further up decide, since the user most likely meant the nearer one.
 */
export function labelFromPath(path: string): FolderLabel {
  const segments = path.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  const folders = segments.slice(0, -1);
  const parent = folders.at(-1);
  if (parent === undefined) return { classIndex: null, folder: null, reason: 'no-folder' };
  for (let i = folders.length - 1; i >= 0; i--) {
    const folder = folders[i]!;
    const found = classFromFolderName(folder);
    if (found === 'ambiguous') return { classIndex: null, folder, reason: 'ambiguous' };
    if (found !== null) return { classIndex: found, folder };
  }
  return { classIndex: null, folder: parent, reason: 'unknown' };
}
