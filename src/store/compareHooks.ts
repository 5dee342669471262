// Selector hooks for compare mode and the accuracy view: each component subscribes to what it renders, and what is
// derived (rows, candidates, evaluations) is computed once per change of its inputs, not per render.
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { evaluate } from '../shared/accuracy';
import type { Evaluation } from '../shared/accuracy';
import type { ComparisonRow } from '../shared/comparison';
import { activeModelId, compareCandidates, unidentifiedCachedWeights } from './compareModels';
import type { CompareModel } from './compareModels';
import { cellOf, comparisonRows, hasFolderLabels, scoredItems } from './compareRows';
import { useAppStore } from './index';

export const useCompareMode = () => useAppStore((s) => s.compareMode);
export const useComparedIds = () => useAppStore((s) => s.comparedIds);
export const useActiveModelId = () => useAppStore((s) => activeModelId(s));
export const useDisagreementsFirst = () => useAppStore((s) => s.disagreementsFirst);
export const useComparedCams = () => useAppStore((s) => s.comparedCams);
export const useCompareRun = () =>
  useAppStore(useShallow((s) => ({ loading: s.compareLoading, inFlight: s.compareInFlight })));
export const useUnidentifiedWeights = () => useAppStore(useShallow((s) => unidentifiedCachedWeights(s)));
export const useIdentifyingWeights = () => useAppStore((s) => s.identifyingWeights);

/** Every model on offer, by the inputs compareCandidates reads (each an object the store replaces on change). */
export function useCompareCandidates(): CompareModel[] {
  const inputs = useAppStore(
    useShallow((s) => ({
      summary: s.summary,
      weights: s.weights,
      activeModel: s.activeModel,
      resnet50Installed: s.resnet50Installed,
      cachedWeights: s.cachedWeights,
      sessionModels: s.sessionModels,
    })),
  );
  return useMemo(() => compareCandidates(inputs), [inputs]);
}

/** The label of each chosen model (its id when it is no longer on offer). */
export function useModelLabels(): ReadonlyMap<string, string> {
  const candidates = useCompareCandidates();
  return useMemo(() => new Map(candidates.map((m) => [m.id, m.label])), [candidates]);
}

/** The comparison's rows as shown (top-k of each answer), in the images' order. */
export function useComparisonRows(): ComparisonRow[] {
  const images = useAppStore((s) => s.images);
  const ids = useComparedIds();
  const activeId = useActiveModelId();
  const results = useAppStore((s) => s.compareResults);
  const topK = useAppStore((s) => s.topK);
  return useMemo(
    () => comparisonRows(images, ids, activeId, results, topK),
    [images, ids, activeId, results, topK],
  );
}

/** Answers settled (or failed) out of images x chosen models; `cancelled` of them were cancelled. */
export function useCompareCounts(): { done: number; total: number; cancelled: number } {
  return useAppStore(
    useShallow((s) => {
      const activeId = activeModelId(s);
      let done = 0;
      let cancelled = 0;
      for (const image of s.images) {
        for (const id of s.comparedIds) {
          const cell = cellOf(image, id, activeId, s.compareResults);
          if (cell) done++;
          if (cell?.status === 'error' && cell.cancelled) cancelled++;
        }
      }
      return { done, total: s.images.length * s.comparedIds.length, cancelled };
    }),
  );
}

export const useHasFolderLabels = () => useAppStore((s) => hasFolderLabels(s.images));

/** Each model's accuracy on the labeled images it has answered so far. */
export function useEvaluations(modelIds: readonly string[]): { modelId: string; evaluation: Evaluation }[] {
  const images = useAppStore((s) => s.images);
  const activeId = useActiveModelId();
  const results = useAppStore((s) => s.compareResults);
  return useMemo(
    () =>
      modelIds.map((modelId) => ({
        modelId,
        evaluation: evaluate(scoredItems(images, modelId, activeId, results)),
      })),
    [modelIds, images, activeId, results],
  );
}
