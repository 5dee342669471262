/**
 * What the page's live region says when images finish: each classification's top class, in words a screen reader
 * reads well. Pure, so the rule is tested without a page.
 */
import { spokenPercent } from '../shared/format';
import type { ImageItem } from './imagesSlice';

/** More than this many finishing at once are summed up: a screen reader would otherwise read for a minute. */
const MAX_NAMED = 3;

type Finished = Pick<ImageItem, 'id' | 'fileName' | 'status' | 'predictions' | 'error'>;

/** One finished image in words: "chelsea.jpg: tabby, 63.1 percent", or its error. */
export function announceImage(image: Finished): string {
  if (image.status === 'error')
    return `${image.fileName}: ${image.error?.message ?? 'could not be classified'}`;
  const top = image.predictions?.[0];
  return top
    ? `${image.fileName}: ${top.label}, ${spokenPercent(top.probability)}`
    : `${image.fileName}: done`;
}

/**
 * The announcement for the images that finished between two states of the list, or null when there is nothing
 * to say. An image finishes again when it is classified anew (another model), and is announced again. A failed
 * image's card says its error itself (role="alert", assertive): named here too, it would be read twice; it is
 * only counted when many finish at once.
 */
export function finishedAnnouncement(prev: readonly Finished[], next: readonly Finished[]): string | null {
  if (prev === next) return null;
  const before = new Map(prev.map((img) => [img.id, img.status]));
  const finished = next.filter(
    (img) => (img.status === 'done' || img.status === 'error') && before.get(img.id) !== img.status,
  );
  if (finished.length <= MAX_NAMED) {
    const done = finished.filter((img) => img.status === 'done');
    return done.length === 0 ? null : done.map(announceImage).join('. ');
  }
  const failed = finished.filter((img) => img.status === 'error').length;
  return (
    `${finished.length} images finished${failed > 0 ? `, ${failed} with errors` : ''}. ` +
    `The last: ${announceImage(finished.at(-1)!)}`
  );
}
