// Tiny selector hooks: each component subscribes to exactly what it renders.
import { useShallow } from 'zustand/react/shallow';

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
