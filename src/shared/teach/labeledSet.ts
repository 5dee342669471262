/**
 * What a labeled set must be before a head is taught on it: at least 2 classes, at least 2 images in each (one to
 * learn from and one to check on) and at most 5,000 images in all. Each problem is a message the panel shows as is.
 */

export interface LabeledClass {
  /** The class's name as the user gave it: its folder's name. */
  name: string;
  imageCount: number;
}

export const MIN_CLASSES = 2;
export const MIN_IMAGES_PER_CLASS = 2;
/**
 * Features of 5,000 images take 40 MB as ResNet50's 2,048 floats each, and the issue's memory budget is 500 MB for
 * page and worker together; the other in-browser tools crash from about 1,000.
 */
export const MAX_IMAGES = 5000;

export type LabeledSetProblem =
  | { kind: 'too-few-classes'; classCount: number; message: string }
  | { kind: 'too-few-images'; className: string; imageCount: number; message: string }
  | { kind: 'too-many-images'; imageCount: number; message: string }
  | { kind: 'unnamed-class'; message: string }
  | { kind: 'duplicate-name'; className: string; message: string };

const count = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/**
 * Every problem of the set, in the order the panel lists them (an empty list: it can be taught). Names are
 * compared trimmed and without case: "Cats" and "cats " would be two predictions no one can tell apart.
 */
export function labeledSetProblems(classes: readonly LabeledClass[]): LabeledSetProblem[] {
  const problems: LabeledSetProblem[] = [];
  if (classes.length < MIN_CLASSES) {
    const found =
      classes.length === 0 ? 'found none' : `found only ${classes.map((c) => `"${c.name}"`).join(', ')}`;
    problems.push({
      kind: 'too-few-classes',
      classCount: classes.length,
      message: `Teaching needs at least ${MIN_CLASSES} classes, one folder of images each; ${found}.`,
    });
  }
  const seen = new Set<string>();
  for (const { name, imageCount } of classes) {
    const key = name.trim().toLowerCase();
    if (key === '') {
      problems.push({
        kind: 'unnamed-class',
        message: 'A class has no name: name each folder after its class.',
      });
    } else if (seen.has(key)) {
      problems.push({
        kind: 'duplicate-name',
        className: name,
        message: `Two classes are named "${name.trim()}": give each folder a name of its own.`,
      });
    }
    seen.add(key);
    if (imageCount < MIN_IMAGES_PER_CLASS) {
      problems.push({
        kind: 'too-few-images',
        className: name,
        imageCount,
        message: `"${name}" has ${count(imageCount, 'image')}; each class needs at least ${MIN_IMAGES_PER_CLASS}, one to learn from and one to check on.`,
      });
    }
  }
  const total = classes.reduce((sum, c) => sum + c.imageCount, 0);
  if (total > MAX_IMAGES) {
    problems.push({
      kind: 'too-many-images',
      imageCount: total,
      message: `The folder holds ${count(total, 'image')}; at most ${MAX_IMAGES.toLocaleString('en-US')} can be taught at once.`,
    });
  }
  return problems;
}
