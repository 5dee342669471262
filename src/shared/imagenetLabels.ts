// The standard ImageNet-1k class list in the standard order, from a maintained TF.js package rather than
// typed by hand. Only this data module is imported, not the MobileNet model.
import { IMAGENET_CLASSES } from '@tensorflow-models/mobilenet/dist/imagenet_classes';

import { NUM_CLASSES } from './variants';

/** WordNet synonyms per class, e.g. "tench, Tinca tinca". */
export const IMAGENET_SYNONYMS: readonly string[] = Array.from({ length: NUM_CLASSES }, (_, i) => {
  const name = IMAGENET_CLASSES[i];
  if (name === undefined) throw new Error(`ImageNet label ${i} missing`);
  return name;
});

/** The short, conventional name of each class (its first synonym), e.g. "tench", "toilet tissue". */
export const IMAGENET_LABELS: readonly string[] = IMAGENET_SYNONYMS.map((s) => s.split(',')[0]!.trim());
