/**
 * The activations of the last few images looked inside, by model handle and image id, so that redrawing, another
 * class's map or an explanation of an image needs no new forward pass. Plain arrays, bounded (ResNet50's stages
 * of one image are about 6 MB; the newest's every block output, 16 MB more).
 */
import type { ModelHandle } from '../shared/protocol';
import type { Inspection } from './inspection';

export class Inspections {
  private readonly kept = new Map<string, { handle: ModelHandle; inspection: Inspection }>();

  constructor(private readonly capacity: number) {}

  private key(handle: ModelHandle, imageId: string): string {
    return `${handle}\u0000${imageId}`;
  }

  get(handle: ModelHandle, imageId: string): Inspection | undefined {
    const key = this.key(handle, imageId);
    const entry = this.kept.get(key);
    if (!entry) return undefined;
    // Most recently used last: the first entry is the one to evict.
    this.kept.delete(key);
    this.kept.set(key, entry);
    return entry.inspection;
  }

  /**
   * Keeps `inspection` as the newest. Every block's output (ResNet50's are 16 MB an image) stays with the newest
   * only, the image a block detail is about: the others let theirs go.
   */
  set(handle: ModelHandle, imageId: string, inspection: Inspection): void {
    for (const entry of this.kept.values())
      if (entry.inspection !== inspection) entry.inspection.forgetBlocks();
    const key = this.key(handle, imageId);
    this.kept.delete(key);
    this.kept.set(key, { handle, inspection });
    while (this.kept.size > this.capacity) this.kept.delete(this.kept.keys().next().value!);
  }

  /** Forgets every image of a model (it was released). */
  dropModel(handle: ModelHandle): void {
    for (const [key, entry] of this.kept) if (entry.handle === handle) this.kept.delete(key);
  }

  get size(): number {
    return this.kept.size;
  }

  clear(): void {
    this.kept.clear();
  }
}
