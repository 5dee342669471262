/**
 * Thumbnails waiting to be encoded, by the page's image id. A classification answers without them, and the page
 * asks for each card's thumbnail once its answer is on screen; bounded, because a page that never asks (compare
 * mode, a re-classification of a card that has one) must not pile them up.
 */

/** Anything holding memory until closed: an ImageBitmap in the worker, a stand-in in tests. */
export interface Closable {
  close(): void;
}

export class Thumbnails<T extends Closable, Encoded> {
  private readonly waiting = new Map<string, T>();

  constructor(
    private readonly capacity: number,
    private readonly encode: (thumbnail: T) => Promise<Encoded>,
  ) {}

  /** Keeps `thumbnail` for `imageId` (replacing and closing an older one); the oldest beyond capacity is closed. */
  put(imageId: string, thumbnail: T): void {
    this.waiting.get(imageId)?.close();
    this.waiting.delete(imageId);
    this.waiting.set(imageId, thumbnail);
    while (this.waiting.size > this.capacity) {
      const [oldest, dropped] = this.waiting.entries().next().value!;
      dropped.close();
      this.waiting.delete(oldest);
    }
  }

  /** The encoded thumbnail, handed over once (the encoder closes it); null when none is waiting. */
  take(imageId: string): Promise<Encoded | null> {
    const thumbnail = this.waiting.get(imageId);
    if (!thumbnail) return Promise.resolve(null);
    this.waiting.delete(imageId);
    return this.encode(thumbnail);
  }

  get size(): number {
    return this.waiting.size;
  }

  clear(): void {
    for (const thumbnail of this.waiting.values()) thumbnail.close();
    this.waiting.clear();
  }
}
