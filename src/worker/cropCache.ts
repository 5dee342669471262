/**
 * The last few decoded crops, by the page's image id, so that Look inside on an image the engine has classified
 * does not decode it again. Bounded: a crop is 224x224 RGBA (about 200 KB).
 */
import type { PreprocessSpec } from '../model/preprocess/spec';

export class CropCache {
  private readonly crops = new Map<string, Uint8ClampedArray>();

  constructor(private readonly capacity: number) {}

  /** A crop depends on the image and the framing only; normalization happens after, on the backend. */
  private key(imageId: string, spec: PreprocessSpec): string {
    return `${spec.resizeShorterSide}/${spec.cropSize}:${imageId}`;
  }

  get(imageId: string, spec: PreprocessSpec): Uint8ClampedArray | undefined {
    const key = this.key(imageId, spec);
    const crop = this.crops.get(key);
    if (crop) {
      // Most recently used last: the first entry is the one to evict.
      this.crops.delete(key);
      this.crops.set(key, crop);
    }
    return crop;
  }

  set(imageId: string, spec: PreprocessSpec, crop: Uint8ClampedArray): void {
    const key = this.key(imageId, spec);
    this.crops.delete(key);
    this.crops.set(key, crop);
    while (this.crops.size > this.capacity) this.crops.delete(this.crops.keys().next().value!);
  }

  get size(): number {
    return this.crops.size;
  }

  clear(): void {
    this.crops.clear();
  }
}
