/** Look inside: the inspected image's stages and class activation map, redrawn as the options change. */
import { Latest } from '../client/latest';
import type { CamRender, FeatureMapOptions, InspectResult, StageRender } from '../shared/protocol';
import { modelRequest } from './modelRequest';
import type { SliceCreator } from './types';

export interface InspectorSlice {
  /** The image whose insides are shown (null: none). */
  inspectedImageId: string | null;
  inspection: Omit<InspectResult, 'cam'> | null;
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

export const createInspectorSlice: SliceCreator<InspectorSlice> = (set, get, _store, context) => {
  // Only the newest request's answer is applied; bitmaps of superseded answers are closed at once. A new
  // inspection (or closing) supersedes everything; a CAM and a feature-map redraw supersede only their own kind.
  const inspections = new Latest();
  const cams = new Latest();
  const redraws = new Latest();
  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

  /**
   * One forward pass over the image, in the engine: every stage and the CAM of `camClass` (default top-1).
   * `refresh`: the same image on a new model, so the class asked to be explained still applies.
   */
  async function inspect(id: string, camClass?: number, { refresh = false } = {}): Promise<void> {
    const request = modelRequest(get(), context, id);
    if (!request) return;
    const { engine, handle, image } = request;
    const isCurrent = inspections.begin();
    const options = get().featureMapOptions;
    // Explanations shown, or on their way, are about another image (or another model). Stopping them first also
    // frees the engine for this pass.
    get().resetExplanation({ keepClass: refresh });
    set({ inspectedImageId: id, inspectStatus: 'loading', inspectError: null });
    try {
      const { cam, ...inspection } = await engine.inspect(
        handle,
        image,
        options,
        camClass,
        get().networkOpen,
      );
      if (!isCurrent()) {
        closeBitmaps(inspection, cam);
        return;
      }
      closeBitmaps(get().inspection, get().cam);
      set({ inspection, cam, inspectStatus: 'ready', zoomedTile: null });
      get().explainInspectionReady();
      void get().refreshBlockDetail();
      // Options changed while this was computed: redraw (cheap, no forward pass).
      if (get().featureMapOptions !== options) await get().setFeatureMapOptions({});
    } catch (err) {
      if (isCurrent()) set({ inspectStatus: 'error', inspectError: errorText(err) });
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
      inspections.supersede();
      get().resetExplanation({ deactivate: true });
      // Feature visualization lives in this panel: closing it ends a run under way.
      get().closeFeatVis();
      closeBitmaps(get().inspection, get().cam);
      set({ inspectedImageId: null, inspection: null, cam: null, inspectStatus: 'idle', zoomedTile: null });
      void get().refreshBlockDetail();
    },

    setFeatureMapOptions: async (patch) => {
      const featureMapOptions = { ...get().featureMapOptions, ...patch };
      set({ featureMapOptions });
      const request = modelRequest(get(), context, get().inspectedImageId);
      const current = get().inspection;
      if (!request || !current || get().inspectStatus !== 'ready') return;
      const isCurrent = redraws.begin();
      const sameInspection = inspections.current();
      try {
        const stages = await request.engine.renderFeatureMaps(
          request.handle,
          request.image,
          featureMapOptions,
        );
        if (!isCurrent() || !sameInspection() || get().inspection !== current) {
          stages.forEach((s) => s.bitmap.close());
          return;
        }
        current.stages.forEach((s) => s.bitmap.close());
        set({ inspection: { ...current, stages } });
        void get().refreshBlockDetail();
      } catch (err) {
        if (isCurrent() && sameInspection()) set({ inspectStatus: 'error', inspectError: errorText(err) });
      }
    },

    showCam: async (classIndex) => {
      const request = modelRequest(get(), context, get().inspectedImageId);
      if (!request || get().inspectStatus !== 'ready') return;
      // The class clicked is the one to explain too.
      get().setExplainClass(classIndex);
      const isCurrent = cams.begin();
      const sameInspection = inspections.current();
      try {
        const { cam } = await request.engine.cam(request.handle, request.image, classIndex);
        if (!isCurrent() || !sameInspection()) {
          cam.bitmap.close();
          return;
        }
        get().cam?.bitmap.close();
        set({ cam });
      } catch (err) {
        if (isCurrent() && sameInspection()) set({ inspectStatus: 'error', inspectError: errorText(err) });
      }
    },

    setCamOpacity: (camOpacity) => set({ camOpacity: Math.min(1, Math.max(0, camOpacity)) }),

    zoomTile: (zoomedTile) => set({ zoomedTile }),

    refreshInspection: () => {
      // A visualization belongs to the model it was made on.
      get().resetFeatVis();
      const id = get().inspectedImageId;
      if (!id) return;
      // A full pass: the engine's kept activations belonged to the previous model.
      if (get().images.some((i) => i.id === id)) void inspect(id, get().cam?.classIndex, { refresh: true });
      else get().closeInspector();
    },
  };
};
