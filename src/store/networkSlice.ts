/**
 * The Network view: the active model's graph (asked of the engine by handle), which blocks are expanded, the node
 * selected, a block's detail for the image looked inside, and every block's contribution to it (the ratio chart).
 */
import { Latest } from '../client/latest';
import type { BlockContribution, NetworkGraph } from '../shared/network';
import type { BlockDetail, CamRender, ModelHandle } from '../shared/protocol';
import type { WeightStats } from '../shared/weightStats';
import { modelRequest } from './modelRequest';
import type { SliceCreator } from './types';

export interface NetworkSlice {
  networkOpen: boolean;
  /** The graph of the model `networkHandle` names (null until read). */
  network: NetworkGraph | null;
  networkHandle: ModelHandle | null;
  networkError: string | null;
  /** Blocks shown with their layers. */
  expandedBlocks: readonly string[];
  selectedNode: string | null;
  blockDetail: BlockDetail | null;
  /** `running` while a block's detail is computed; `done` when `blockDetail` is the selected block's. */
  blockDetailStatus: 'idle' | 'running' | 'done' | 'error';
  blockDetailError: string | null;
  /**
   * Every block's contribution to the image looked inside, for the ratio chart: asked for on its own once a
   * detail has come (so the first detail waits for its own block only), once per model and image.
   */
  blockContributions: BlockContribution[] | null;
  /** What they took in the engine. */
  blockContributionsMs: number | null;
  blockContributionsStatus: 'idle' | 'running' | 'done' | 'error';
  /** The model handle and image id `blockContributions` are about (asked for or answered). */
  blockContributionsFor: string | null;
  /** Grad-CAM at the selected block, once asked for (for the class Look inside maps). */
  blockCam: CamRender | null;
  blockCamStatus: 'idle' | 'running' | 'done' | 'error';
  /** The first-layer filters and weight histograms of the graph's model, once asked for. */
  weightStats: WeightStats | null;
  weightStatsStatus: 'idle' | 'running' | 'done' | 'error';
  openNetwork: () => void;
  closeNetwork: () => void;
  /** Reads the active model's graph unless it is the one shown. */
  loadNetwork: () => Promise<void>;
  toggleBlock: (id: string) => void;
  /** Selects a node; a block's detail is computed when an image is looked inside. */
  selectNode: (id: string) => Promise<void>;
  /** The selected block's detail again: another image looked inside, other drawing options, or none. */
  refreshBlockDetail: () => Promise<void>;
  /** Every block's contribution to the image looked inside, unless already read or being read for it. */
  loadBlockContributions: () => Promise<void>;
  /** Grad-CAM at the selected block for the image looked inside. */
  showBlockCam: () => Promise<void>;
  /** Reads the weights of the graph's model (on demand: every kernel is read back from the backend). */
  loadWeightStats: () => Promise<void>;
}

export const createNetworkSlice: SliceCreator<NetworkSlice> = (set, get, _store, context) => {
  const graphs = new Latest();
  const details = new Latest();
  const contributionReads = new Latest();
  const weightReads = new Latest();
  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
  const imageKey = (handle: ModelHandle, imageId: string) => `${handle}\u0000${imageId}`;

  const dropContributions = () => {
    contributionReads.supersede();
    set({
      blockContributions: null,
      blockContributionsMs: null,
      blockContributionsStatus: 'idle',
      blockContributionsFor: null,
    });
  };

  const dropDetail = () => {
    details.supersede();
    get().blockDetail?.map.bitmap.close();
    get().blockCam?.bitmap.close();
    set({
      blockDetail: null,
      blockDetailStatus: 'idle',
      blockDetailError: null,
      blockCam: null,
      blockCamStatus: 'idle',
    });
  };

  return {
    networkOpen: false,
    network: null,
    networkHandle: null,
    networkError: null,
    expandedBlocks: [],
    selectedNode: null,
    blockDetail: null,
    blockDetailStatus: 'idle',
    blockDetailError: null,
    blockContributions: null,
    blockContributionsMs: null,
    blockContributionsStatus: 'idle',
    blockContributionsFor: null,
    blockCam: null,
    blockCamStatus: 'idle',
    weightStats: null,
    weightStatsStatus: 'idle',

    openNetwork: () => {
      set({ networkOpen: true });
      // The image already looked inside: its chart's values, and every block kept for the details (a pass with
      // the blocks if Look inside ran without the view). Needs the graph of the model: else after loadNetwork.
      void get().loadBlockContributions();
    },

    closeNetwork: () => {
      dropDetail();
      dropContributions();
      set({ networkOpen: false, selectedNode: null });
    },

    loadNetwork: async () => {
      const { modelHandle: handle } = get();
      const engine = context.engine;
      if (!engine || !handle || (get().networkHandle === handle && get().network)) return;
      const isCurrent = graphs.begin();
      dropDetail();
      dropContributions();
      weightReads.supersede();
      set({
        networkError: null,
        selectedNode: null,
        expandedBlocks: [],
        weightStats: null,
        weightStatsStatus: 'idle',
      });
      try {
        const network = await engine.network(handle);
        if (isCurrent()) {
          set({ network, networkHandle: handle });
          void get().loadBlockContributions();
        }
      } catch (err) {
        if (isCurrent()) set({ networkError: errorText(err) });
      }
    },

    toggleBlock: (id) => {
      const expanded = get().expandedBlocks;
      set({ expandedBlocks: expanded.includes(id) ? expanded.filter((b) => b !== id) : [...expanded, id] });
    },

    selectNode: async (id) => {
      dropDetail();
      set({ selectedNode: id });
      const node = get().network?.nodes.find((n) => n.id === id);
      const request = modelRequest(get(), context, get().inspectedImageId);
      if (node?.kind !== 'block' || !request || request.handle !== get().networkHandle) return;
      // Another model or image: the chart's values were another's.
      if (get().blockContributionsFor !== imageKey(request.handle, request.image.id)) dropContributions();
      const isCurrent = details.begin();
      set({ blockDetailStatus: 'running' });
      try {
        const detail = await request.engine.blockDetail(
          request.handle,
          request.image,
          id,
          get().featureMapOptions,
        );
        if (!isCurrent()) {
          detail.map.bitmap.close();
          return;
        }
        set({ blockDetail: detail, blockDetailStatus: 'done' });
        // After the detail, not beside it: the engine answers in turn, and the detail is the one waited for.
        void get().loadBlockContributions();
      } catch (err) {
        if (isCurrent()) set({ blockDetailStatus: 'error', blockDetailError: errorText(err) });
      }
    },

    loadBlockContributions: async () => {
      const request = modelRequest(get(), context, get().inspectedImageId);
      if (!get().networkOpen || !request || request.handle !== get().networkHandle) return;
      const key = imageKey(request.handle, request.image.id);
      const { blockContributionsFor, blockContributionsStatus } = get();
      if (blockContributionsFor === key && blockContributionsStatus !== 'error') return;
      const isCurrent = contributionReads.begin();
      set({
        blockContributions: null,
        blockContributionsMs: null,
        blockContributionsStatus: 'running',
        blockContributionsFor: key,
      });
      try {
        const answer = await request.engine.blockContributions(request.handle, request.image);
        if (isCurrent()) {
          set({
            blockContributions: answer.contributions,
            blockContributionsMs: answer.contributionsMs,
            blockContributionsStatus: 'done',
          });
        }
      } catch {
        if (isCurrent()) set({ blockContributionsStatus: 'error' });
      }
    },

    showBlockCam: async () => {
      const id = get().selectedNode;
      const request = modelRequest(get(), context, get().inspectedImageId);
      if (id === null || !request || request.handle !== get().networkHandle) return;
      // The detail's ticket: a new selection (or image) drops this map as it drops the detail.
      const isCurrent = details.current();
      set({ blockCamStatus: 'running' });
      try {
        const cam = await request.engine.blockCam(request.handle, request.image, id, get().cam?.classIndex);
        if (!isCurrent()) {
          cam.bitmap.close();
          return;
        }
        get().blockCam?.bitmap.close();
        set({ blockCam: cam, blockCamStatus: 'done' });
      } catch {
        if (isCurrent()) set({ blockCamStatus: 'error' });
      }
    },

    loadWeightStats: async () => {
      const { networkHandle: handle } = get();
      const engine = context.engine;
      if (!engine || !handle || handle !== get().modelHandle) return;
      const isCurrent = weightReads.begin();
      set({ weightStatsStatus: 'running' });
      try {
        const weightStats = await engine.weightStats(handle);
        if (isCurrent()) set({ weightStats, weightStatsStatus: 'done' });
      } catch {
        if (isCurrent()) set({ weightStatsStatus: 'error' });
      }
    },

    refreshBlockDetail: async () => {
      const id = get().selectedNode;
      if (get().networkOpen && id !== null) await get().selectNode(id);
    },
  };
};
