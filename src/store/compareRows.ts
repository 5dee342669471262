/**
 * What compare mode and the accuracy view show, derived from the images and the compared models' answers: each
 * image's cell per model, the rows shared/comparison.ts measures, and the items shared/accuracy.ts scores.
 */
import type { ComparisonRow } from '../shared/comparison';
import { labelFromPath } from '../shared/folderLabels';
import type { FolderLabel } from '../shared/folderLabels';
import type { ScoredItem } from '../shared/accuracy';
import type { Prediction } from '../shared/predictions';
import type { ImageItem } from './imagesSlice';

/** One model's settled answer for one image; an image with no cell for a model is still waiting for it. */
export type CompareCell =
  | { status: 'done'; predictions: Prediction[]; ms: number }
  /** `cancelled`: the user stopped the run before this image's turn (not a fault of the image or the model). */
  | { status: 'error'; message: string; cancelled: boolean };

/** The answers of the models run in the compare slot: by image id, then by model id. */
export type CompareResults = Readonly<Record<string, Readonly<Record<string, CompareCell>>>>;

/**
 * The image's cell for `modelId`. The active model's answers are the image's own (the classification queue
 * computed them), so the active model is never loaded a second time into the compare slot.
 */
export function cellOf(
  image: ImageItem,
  modelId: string,
  activeId: string | null,
  results: CompareResults,
): CompareCell | undefined {
  if (modelId !== activeId) return results[image.id]?.[modelId];
  if (image.status === 'done' && image.predictions) {
    return { status: 'done', predictions: image.predictions, ms: image.totalMs ?? 0 };
  }
  if (image.status === 'error' && image.error) {
    return { status: 'error', message: image.error.message, cancelled: image.error.code === 'cancelled' };
  }
  return undefined;
}

/**
 * The rows as shown: each answer cut to the `topK` classes on screen, so that the summary's numbers are those of
 * what the user sees. A model without an answer (waiting, failed) has no predictions in the row.
 */
export function comparisonRows(
  images: readonly ImageItem[],
  modelIds: readonly string[],
  activeId: string | null,
  results: CompareResults,
  topK: number,
): ComparisonRow[] {
  return images.map((image) => ({
    fileName: image.fileName,
    answers: modelIds.map((modelId) => {
      const cell = cellOf(image, modelId, activeId, results);
      return cell?.status === 'done'
        ? { modelId, predictions: cell.predictions.slice(0, topK), ms: cell.ms }
        : { modelId, predictions: [], ms: 0 };
    }),
  }));
}

/**
 * The path inside a dropped or picked folder, when the image came with one. Read structurally: images added any
 * other way (a loose file, a paste) have none.
 */
export function relativePathOf(image: ImageItem): string | null {
  return (image as ImageItem & { relativePath?: string | null }).relativePath ?? null;
}

/** The image's class as its folder names it; null without a folder path. */
export function folderLabelOf(image: ImageItem): FolderLabel | null {
  const path = relativePathOf(image);
  return path === null ? null : labelFromPath(path);
}

/** Whether any image's folder names a class: only then is there an accuracy to show. */
export function hasFolderLabels(images: readonly ImageItem[]): boolean {
  return images.some((image) => folderLabelOf(image)?.classIndex != null);
}

/**
 * One model's items for shared/accuracy.ts: every image it has settled (a failure counts as unscored there), with
 * its folder's class. Scored on all the classes the model returned, so "top-5" means five whatever k shows.
 */
export function scoredItems(
  images: readonly ImageItem[],
  modelId: string,
  activeId: string | null,
  results: CompareResults,
): ScoredItem[] {
  return images.flatMap((image) => {
    const cell = cellOf(image, modelId, activeId, results);
    if (!cell) return [];
    return [
      {
        fileName: image.fileName,
        trueIndex: folderLabelOf(image)?.classIndex ?? null,
        predictions: cell.status === 'done' ? cell.predictions : [],
      },
    ];
  });
}
