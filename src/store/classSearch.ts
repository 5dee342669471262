/** Finding one of the 1000 ImageNet classes from what a person types, for the class search box. */
import { IMAGENET_LABELS, IMAGENET_SYNONYMS } from '../shared/imagenetLabels';

/** Labels repeat in ImageNet ("crane" is a bird and a machine): the number keeps each suggestion unique. */
export const classOptionText = (i: number): string => `${IMAGENET_LABELS[i]} (${i})`;

/** The class a typed text names: "label (n)", a number, a label, a synonym, or the first label it begins. */
export function findClass(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  const numbered = /\((\d{1,4})\)$/.exec(t) ?? /^(\d{1,4})$/.exec(t);
  if (numbered) return Number(numbered[1]) < IMAGENET_LABELS.length ? Number(numbered[1]) : null;
  const exact = IMAGENET_LABELS.findIndex((l) => l.toLowerCase() === t);
  if (exact >= 0) return exact;
  const synonym = IMAGENET_SYNONYMS.findIndex((s) =>
    s
      .toLowerCase()
      .split(',')
      .some((part) => part.trim() === t),
  );
  if (synonym >= 0) return synonym;
  const prefix = IMAGENET_LABELS.findIndex((l) => l.toLowerCase().startsWith(t));
  return prefix >= 0 ? prefix : null;
}
