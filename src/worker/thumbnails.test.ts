import { describe, expect, it } from 'vitest';

import { Thumbnails } from './thumbnails';

class Bitmap {
  closed = false;
  constructor(readonly name: string) {}
  close() {
    this.closed = true;
  }
}

const encodeAndClose = (bitmap: Bitmap) => {
  bitmap.close();
  return Promise.resolve(`jpeg of ${bitmap.name}`);
};

describe('Thumbnails', () => {
  it('hands each thumbnail over once, encoded', async () => {
    const thumbnails = new Thumbnails(4, encodeAndClose);
    const a = new Bitmap('a');
    thumbnails.put('img-1', a);
    expect(await thumbnails.take('img-1')).toBe('jpeg of a');
    expect(a.closed).toBe(true);
    expect(await thumbnails.take('img-1')).toBeNull();
    expect(await thumbnails.take('never-classified')).toBeNull();
    expect(thumbnails.size).toBe(0);
  });

  it('closes a replaced thumbnail and the oldest beyond its capacity, so none is leaked when nobody asks', async () => {
    const thumbnails = new Thumbnails(2, encodeAndClose);
    const first = new Bitmap('first');
    const again = new Bitmap('again');
    thumbnails.put('img-1', first);
    thumbnails.put('img-1', again);
    expect(first.closed).toBe(true);
    const b = new Bitmap('b');
    const c = new Bitmap('c');
    thumbnails.put('img-2', b);
    thumbnails.put('img-3', c); // img-1 is the oldest now
    expect(again.closed).toBe(true);
    expect(thumbnails.size).toBe(2);
    expect(await thumbnails.take('img-1')).toBeNull();
    expect(await thumbnails.take('img-2')).toBe('jpeg of b');
    thumbnails.clear();
    expect(c.closed).toBe(true);
    expect(thumbnails.size).toBe(0);
  });
});
