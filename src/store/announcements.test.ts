/** The live region's words for finished images: one, a few, many, and nothing when nothing (new) finished. */
import { describe, expect, it } from 'vitest';

import { finishedAnnouncement } from './announcements';
import type { ImageItem } from './imagesSlice';

type Item = Pick<ImageItem, 'id' | 'fileName' | 'status' | 'predictions' | 'error'>;

const queued = (id: string, fileName = `${id}.jpg`): Item => ({
  id,
  fileName,
  status: 'queued',
  predictions: null,
  error: null,
});
const done = (item: Item, label = 'tabby', probability = 0.631): Item => ({
  ...item,
  status: 'done',
  predictions: [{ classIndex: 281, label, synonyms: label, probability }],
});
const failed = (item: Item, message = 'This file is not an image.'): Item => ({
  ...item,
  status: 'error',
  error: { code: 'unsupported', message },
});

describe('finishedAnnouncement', () => {
  it('names a finished image, its top class and its probability in words', () => {
    const a = queued('a', 'chelsea.jpg');
    expect(finishedAnnouncement([a], [done(a)])).toBe('chelsea.jpg: tabby, 63.1 percent');
  });

  it("leaves a failed image to its card's alert, and names the others", () => {
    const a = queued('a', 'notes.txt');
    const b = queued('b', 'chelsea.jpg');
    expect(finishedAnnouncement([a], [failed(a)])).toBeNull();
    expect(finishedAnnouncement([a, b], [failed(a), done(b)])).toBe('chelsea.jpg: tabby, 63.1 percent');
  });

  it('says nothing when nothing finished, and nothing again for an image already announced', () => {
    const a = queued('a');
    const b = queued('b');
    const list = [done(a), b];
    expect(finishedAnnouncement(list, list)).toBeNull();
    expect(finishedAnnouncement(list, [...list])).toBeNull();
    expect(finishedAnnouncement([a, b], [a, { ...b, status: 'classifying' }])).toBeNull();
  });

  it('announces an image again when it is classified anew', () => {
    const a = done(queued('a'));
    const again = { ...a, status: 'queued' as const };
    expect(finishedAnnouncement([again], [done(again, 'lynx', 0.5)])).toBe('a.jpg: lynx, 50.0 percent');
  });

  it('sums up many images finishing at once', () => {
    const items = ['a', 'b', 'c', 'd', 'e'].map((id) => queued(id));
    const next = items.map((img, i) => (i === 1 ? failed(img) : done(img)));
    expect(finishedAnnouncement(items, next)).toBe(
      '5 images finished, 1 with errors. The last: e.jpg: tabby, 63.1 percent',
    );
  });
});
