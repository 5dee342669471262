// Tiny selector hooks: each component subscribes to exactly what it renders.
import { useShallow } from 'zustand/react/shallow';

import { explainStages, explainTarget } from './explainSlice';
import { useAppStore } from './index';

export const useTopK = () => useAppStore((s) => s.topK);
export const useImages = () => useAppStore((s) => s.images);
export const useBackend = () => useAppStore((s) => s.backend);
export const useMemory = () => useAppStore((s) => s.memory);
export const useSummary = () => useAppStore((s) => s.summary);
export const useWeights = () => useAppStore((s) => s.weights);
export const useAppError = () => useAppStore((s) => s.appError);
export const useModelState = () =>
  useAppStore(
    useShallow((s) => ({
      variant: s.variant,
      status: s.modelStatus,
      progress: s.loadProgress,
      loadedVariant: s.summary?.variant ?? null,
      buildMs: s.buildMs,
      taughtId: s.taught?.id ?? null,
      taughtName: s.taught?.name ?? null,
    })),
  );
export const useDownload = () => useAppStore((s) => s.download);
export const useCachedWeights = () => useAppStore((s) => s.cachedWeights);
export const useCacheNote = () => useAppStore((s) => s.cacheNote);
export const useInspector = () =>
  useAppStore(
    useShallow((s) => ({
      imageId: s.inspectedImageId,
      inspection: s.inspection,
      status: s.inspectStatus,
      error: s.inspectError,
    })),
  );
export const useCam = () => useAppStore((s) => s.cam);
export const useCamOpacity = () => useAppStore((s) => s.camOpacity);
export const useFeatureMapOptions = () => useAppStore((s) => s.featureMapOptions);
export const useZoomedTile = () => useAppStore((s) => s.zoomedTile);
export const useExplainChoices = () =>
  useAppStore(
    useShallow((s) => ({
      method: s.explainMethod,
      stageChoice: s.explainStageChoice,
      active: s.explainActive,
    })),
  );
/** The request the current choices make (method, resolved stage, class), or null while nothing is inspected. */
export const useExplainTarget = () => useAppStore(useShallow((s) => explainTarget(s)));
export const useExplainStages = () => useAppStore(useShallow((s) => explainStages(s)));
export const useExplanation = () => useAppStore((s) => s.explanation);
export const useExplainFaithfulness = () => useAppStore((s) => s.explainFaithfulness);
export const useExplainComparison = () => useAppStore((s) => s.explainComparison);
export const useExplainSanity = () => useAppStore((s) => s.explainSanity);
export const useExplainProgress = () => useAppStore((s) => s.explainProgress);
export const useModelNames = () =>
  useAppStore(useShallow((s) => ({ variant: s.summary?.variant ?? null, weights: s.weights?.name ?? null })));
export const useCamera = () =>
  useAppStore(
    useShallow((s) => ({
      status: s.cameraStatus,
      error: s.cameraError,
      cameras: s.cameras,
      deviceId: s.cameraDeviceId,
      stream: s.cameraStream,
      live: s.cameraLive,
      camOn: s.cameraCamOn,
      cam: s.cameraCam,
      picture: s.cameraPicture,
      preview: s.cameraPreview,
    })),
  );
export const useNetworkView = () =>
  useAppStore(
    useShallow((s) => ({
      open: s.networkOpen,
      network: s.network,
      handle: s.networkHandle,
      error: s.networkError,
      modelHandle: s.modelHandle,
    })),
  );
export const useExpandedBlocks = () => useAppStore((s) => s.expandedBlocks);
export const useSelectedNode = () => useAppStore((s) => s.selectedNode);
/** Every block's contribution to the image looked inside (the ratio chart), read on its own after a detail. */
export const useBlockContributions = () =>
  useAppStore(
    useShallow((s) => ({
      contributions: s.blockContributions,
      ms: s.blockContributionsMs,
      status: s.blockContributionsStatus,
    })),
  );

export const useBlockDetail = () =>
  useAppStore(
    useShallow((s) => ({
      detail: s.blockDetail,
      status: s.blockDetailStatus,
      error: s.blockDetailError,
      inspected: s.inspectedImageId !== null && s.inspectStatus === 'ready',
    })),
  );
