/**
 * Taught models kept and carried (issue #26): each taught model is kept in this browser, listed with Open and
 * Delete, exported as one file and imported from one; a model opened or imported becomes the active one over the
 * backbone it was taught on, which is loaded first when another model is active.
 */
import { backboneRoute, describeBackbone, isBackbone, taughtBackbone } from '../client/taughtBackbone';
import { TAUGHT_MODEL_SUFFIX, readTaughtModelFile, writeTaughtModelFile } from '../client/taughtModelFile';
import type { TaughtModelPackage } from '../client/taughtModelFile';
import type { KeptTaughtModel } from '../client/taughtModelStore';
import { saveToDisk } from './saveToDisk';
import type { SliceCreator } from './types';

export interface KeptModelsSlice {
  /** The taught models kept in this browser, newest first. */
  keptModels: KeptTaughtModel[];
  /** Why the last import, open or export failed; null when it did not. */
  keptError: string | null;
  /** An import or open is under way. */
  keptBusy: boolean;
  refreshKeptModels: () => Promise<void>;
  /** Keeps the active taught model in this browser (after teaching). */
  keepTaughtModel: () => Promise<void>;
  /** Downloads the active taught model as one file. */
  exportTaughtModel: () => Promise<void>;
  /** Loads a taught model's file and makes it active (and kept); refuses, with the reason, what it cannot load. */
  importTaughtModel: (file: Blob) => Promise<void>;
  openKeptModel: (name: string) => Promise<void>;
  /** Forgets a kept model; when it is the active one, its backbone becomes active again and the head is freed. */
  deleteKeptModel: (name: string) => Promise<void>;
}

export const createKeptModelsSlice: SliceCreator<KeptModelsSlice> = (set, get, _store, context) => {
  /** The active taught model as its package and file, read back from the engine. */
  async function activePackage(): Promise<{ pkg: TaughtModelPackage; file: Uint8Array } | null> {
    const { taught, modelHandle, variant, weights } = get();
    const engine = context.engine;
    if (!engine || !taught || !modelHandle || !weights) return null;
    const pkg: TaughtModelPackage = {
      name: taught.name,
      classNames: taught.classNames,
      head: await engine.taughtHead(modelHandle),
      backbone: taughtBackbone(variant, weights),
    };
    return { pkg, file: await writeTaughtModelFile(pkg) };
  }

  /** Makes a taught model active over its backbone (loading that first if need be); throws why it cannot. */
  async function activate(pkg: TaughtModelPackage): Promise<void> {
    const s = get();
    const route = backboneRoute(pkg.backbone, {
      variant: s.variant,
      weights: s.weights,
      resnet50Installed: s.resnet50Installed,
      cached: s.cachedWeights,
    });
    if (route.kind === 'missing') throw new Error(route.message);
    if (route.kind === 'variant') await get().switchVariant(route.variant);
    if (route.kind === 'cached') await get().loadCachedWeights(route.id);
    const now = get();
    const backbone = now.taught?.backbone ?? now.modelHandle;
    if (now.modelStatus !== 'ready' || !backbone || !isBackbone(pkg.backbone, now.variant, now.weights))
      throw new Error(
        `This model was taught on ${describeBackbone(pkg.backbone)}, which could not be loaded.`,
      );
    const engine = context.engine;
    if (!engine) throw new Error('The engine is not running.');
    const info = await engine.loadTaught(backbone, {
      name: pkg.name,
      classNames: pkg.classNames,
      head: pkg.head,
    });
    set({ teachResult: null, teachEpochs: [], teachFailure: null, teachCancelled: false });
    get().adoptTaughtModel(info);
  }

  async function keep(pkg: TaughtModelPackage, file: Uint8Array): Promise<void> {
    await context.taughtModels?.put(pkg, file);
    await get().refreshKeptModels();
  }

  /** Runs an import or an open: one at a time, its failure said in keptError. */
  async function busy(what: string, run: () => Promise<void>): Promise<void> {
    if (get().keptBusy) return;
    set({ keptBusy: true, keptError: null });
    try {
      await run();
    } catch (err) {
      const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      // From the model select, with the panel closed, the banner is where it can be read.
      set(get().teachOpen ? { keptError: message } : { keptError: message, appError: message });
    } finally {
      set({ keptBusy: false });
    }
  }

  return {
    keptModels: [],
    keptError: null,
    keptBusy: false,

    refreshKeptModels: async () => {
      try {
        set({ keptModels: (await context.taughtModels?.list()) ?? [] });
      } catch {
        set({ keptModels: [] });
      }
    },

    keepTaughtModel: async () => {
      if (!context.taughtModels) return;
      try {
        const active = await activePackage();
        if (active) await keep(active.pkg, active.file);
      } catch (err) {
        set({
          keptError: `Could not keep the taught model: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    },

    exportTaughtModel: async () => {
      try {
        const active = await activePackage();
        if (active)
          saveToDisk(
            `${active.pkg.name}${TAUGHT_MODEL_SUFFIX}`,
            active.file.slice().buffer,
            'application/zip',
          );
      } catch (err) {
        set({
          keptError: `Could not export the taught model: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    },

    importTaughtModel: (blob) =>
      busy('Could not import it', async () => {
        const file = new Uint8Array(await blob.arrayBuffer());
        const pkg = await readTaughtModelFile(file);
        await activate(pkg);
        await keep(pkg, file);
      }),

    openKeptModel: (name) =>
      busy(`Could not open "${name}"`, async () => {
        const store = context.taughtModels;
        if (!store) return;
        try {
          await activate((await store.read(name)).pkg);
        } finally {
          await get().refreshKeptModels();
        }
      }),

    deleteKeptModel: async (name) => {
      try {
        await context.taughtModels?.delete(name);
      } catch (err) {
        set({ keptError: `Could not delete "${name}": ${err instanceof Error ? err.message : String(err)}` });
      }
      if (get().taught?.name === name) get().leaveTaughtModel();
      await get().refreshKeptModels();
    },
  };
};
