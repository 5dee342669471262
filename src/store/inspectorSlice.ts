/** Look inside: the inspected image's stages and class activation map, redrawn as the options change. */
import type { CamRender, FeatureMapOptions, InspectResult, StageRender } from '../shared/protocol';
import { getEngine } from './engineRef';
import type { SliceCreator } from './types';

export interface InspectorSlice {
  /** The image whose insides are shown (null: none). */
  inspectedImageId: string | null;
  inspection: Omit<InspectResult, 'cam' | 'memory'> | null;
  cam: CamRender | null;
  inspectStatus: 'idle' | 'loading' | 'ready' | 'error';
  inspectError: string | null;
  featureMapOptions: FeatureMapOptions;
  camOpacity: number;
  /** The tile enlarged next to the input. */
  zoomedTile: { stage: StageRender['stage']; channel: number } | null;
  inspectImage: (id: string, camClass?: number) => Promise<void>;
  closeInspector: () => void;
  setFeatureMapOptions: (patch: Partial<FeatureMapOptions>) => Promise<void>;
  showCam: (classIndex: number) => Promise<void>;
  setCamOpacity: (opacity: number) => void;
  zoomTile: (tile: InspectorSlice['zoomedTile']) => void;
  /** Re-runs the inspection after the model changed (or drops it if the image is gone). */
  refreshInspection: () => void;
}

function closeBitmaps(inspection: InspectorSlice['inspection'], cam: CamRender | null): void {
  inspection?.input.close();
  inspection?.stages.forEach((s) => s.bitmap.close());
  cam?.bitmap.close();
}

export const createInspectorSlice: SliceCreator<InspectorSlice> = (set, get) => {
  // Only the newest request's answer is applied; bitmaps of superseded answers are closed at once. A new
  // inspection (or closing) supersedes everything; a CAM and a feature-map redraw supersede only their own kind.
  let inspectionToken = 0;
  let camToken = 0;
  let mapsToken = 0;
  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

  /**
   * One forward pass over the image, in the engine: every stage and the CAM of `camClass` (default top-1).
   * `refresh`: the same image on a new model, so the class asked to be explained still applies.
   */
  async function inspect(id: string, camClass?: number, { refresh = false } = {}): Promise<void> {
    const engine = getEngine();
    const image = get().images.find((i) => i.id === id);
    if (!engine || !image) return;
    const mine = ++inspectionToken;
    const options = get().featureMapOptions;
    // The engine explains its last inspected image: what is shown, or on its way, is about another one (or
    // another model). Stopping it first also frees the engine for this pass.
    get().resetExplanation({ keepClass: refresh });
    set({ inspectedImageId: id, inspectStatus: 'loading', inspectError: null });
    try {
      const { cam, memory, ...inspection } = await engine.inspect(
        { id, blob: image.file },
        options,
        camClass,
      );
      get().setMemory(memory);
      if (mine !== inspectionToken) {
        closeBitmaps(inspection, cam);
        return;
      }
      closeBitmaps(get().inspection, get().cam);
      set({ inspection, cam, inspectStatus: 'ready', zoomedTile: null });
      get().explainInspectionReady();
      // Options changed while this was computed: redraw (cheap, no forward pass).
      if (get().featureMapOptions !== options) await get().setFeatureMapOptions({});
    } catch (err) {
      if (mine === inspectionToken) set({ inspectStatus: 'error', inspectError: errorText(err) });
    }
  }

  return {
    inspectedImageId: null,
    inspection: null,
    cam: null,
    inspectStatus: 'idle',
    inspectError: null,
    featureMapOptions: { normalization: 'channel', colormap: 'viridis', order: 'index' },
    camOpacity: 0.5,
    zoomedTile: null,

    inspectImage: async (id, camClass) => {
      // The same image, already drawn: only the CAM changes.
      if (id === get().inspectedImageId && get().inspectStatus === 'ready' && camClass !== undefined) {
        await get().showCam(camClass);
        return;
      }
      await inspect(id, camClass);
    },

    closeInspector: () => {
      inspectionToken++;
      get().resetExplanation({ deactivate: true });
      closeBitmaps(get().inspection, get().cam);
      set({ inspectedImageId: null, inspection: null, cam: null, inspectStatus: 'idle', zoomedTile: null });
    },

    setFeatureMapOptions: async (patch) => {
      const featureMapOptions = { ...get().featureMapOptions, ...patch };
      set({ featureMapOptions });
      const engine = getEngine();
      const current = get().inspection;
      if (!engine || !current || get().inspectStatus !== 'ready') return;
      const mine = ++mapsToken;
      const under = inspectionToken;
      try {
        const stages = await engine.renderFeatureMaps(featureMapOptions);
        if (mine !== mapsToken || under !== inspectionToken || get().inspection !== current) {
          stages.forEach((s) => s.bitmap.close());
          return;
        }
        current.stages.forEach((s) => s.bitmap.close());
        set({ inspection: { ...current, stages } });
      } catch (err) {
        if (mine === mapsToken && under === inspectionToken) {
          set({ inspectStatus: 'error', inspectError: errorText(err) });
        }
      }
    },

    showCam: async (classIndex) => {
      const engine = getEngine();
      if (!engine || get().inspectStatus !== 'ready') return;
      // The class clicked is the one to explain too.
      get().setExplainClass(classIndex);
      const mine = ++camToken;
      const under = inspectionToken;
      try {
        const cam = await engine.renderCam(classIndex);
        if (mine !== camToken || under !== inspectionToken) {
          cam.bitmap.close();
          return;
        }
        get().cam?.bitmap.close();
        set({ cam });
      } catch (err) {
        if (mine === camToken && under === inspectionToken) {
          set({ inspectStatus: 'error', inspectError: errorText(err) });
        }
      }
    },

    setCamOpacity: (camOpacity) => set({ camOpacity: Math.min(1, Math.max(0, camOpacity)) }),

    zoomTile: (zoomedTile) => set({ zoomedTile }),

    refreshInspection: () => {
      const id = get().inspectedImageId;
      if (!id) return;
      // A full pass: the engine's kept activations belonged to the previous model.
      if (get().images.some((i) => i.id === id)) void inspect(id, get().cam?.classIndex, { refresh: true });
      else get().closeInspector();
    },
  };
};
