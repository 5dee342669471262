/**
 * The engine's loaded models by handle, and who keeps whom alive: a taught model runs on its backbone's tensors, so
 * releasing the backbone's handle ends the handle at once but frees the backbone only when no taught model over it
 * is left.
 */
import type { ModelHandle } from '../shared/protocol';

interface Entry<T> {
  model: T;
  /** The handle of the model this one runs on, if any. */
  uses: ModelHandle | null;
  /** Models (released or not) that run on this one. */
  users: number;
  /** Released by the page: no longer answers to its handle, freed once nothing uses it. */
  released: boolean;
}

export class Models<T extends { dispose(): void }> {
  private readonly entries = new Map<ModelHandle, Entry<T>>();

  /** Registers `model`; with `uses`, it runs on that (loaded) model, which then lives at least as long. */
  add(handle: ModelHandle, model: T, uses: ModelHandle | null = null): void {
    if (this.entries.has(handle)) throw new Error(`Handle ${handle} is taken`);
    if (uses !== null) {
      const used = this.entries.get(uses);
      if (!used || used.released) throw new Error(`Model ${uses} is not loaded`);
      used.users += 1;
    }
    this.entries.set(handle, { model, uses, users: 0, released: false });
  }

  /** The model behind a handle the page has not released. */
  get(handle: ModelHandle): T | undefined {
    const entry = this.entries.get(handle);
    return entry && !entry.released ? entry.model : undefined;
  }

  /** Ends the handle; frees its model now if nothing runs on it, else with the last model that does. */
  release(handle: ModelHandle): void {
    const entry = this.entries.get(handle);
    if (!entry || entry.released) return;
    entry.released = true;
    this.freeIfUnused(handle);
  }

  /** Frees every model, released or not. */
  clear(): void {
    for (const { model } of this.entries.values()) model.dispose();
    this.entries.clear();
  }

  private freeIfUnused(handle: ModelHandle): void {
    const entry = this.entries.get(handle)!;
    if (!entry.released || entry.users > 0) return;
    this.entries.delete(handle);
    // Users first: a taught model's head goes before the backbone it runs on.
    entry.model.dispose();
    if (entry.uses !== null) {
      this.entries.get(entry.uses)!.users -= 1;
      this.freeIfUnused(entry.uses);
    }
  }
}
