// Selector hooks for the feature-visualization panel and its dataset examples: each component subscribes to the
// part of the two jobs (a run, a search of the page's images) that it renders.
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from './index';

/** The run's settings, and whether one may start. */
export const useFeatureVisSettings = () =>
  useAppStore(
    useShallow((s) => ({
      target: s.featVisTarget,
      steps: s.featVisSteps,
      seed: s.featVisSeed,
      size: s.featVisSize,
      running: s.featVisStatus === 'running',
      ready: s.modelStatus === 'ready',
    })),
  );

/** The run as a job: its state, progress, the time left and what went wrong. */
export const useFeatureVisJob = () =>
  useAppStore(
    useShallow((s) => ({
      status: s.featVisStatus,
      progress: s.featVisProgress,
      remaining: s.featVisRemainingMs,
      error: s.featVisError,
    })),
  );

/** The run's picture and how it ended. */
export const useFeatureVisPicture = () =>
  useAppStore(
    useShallow((s) => ({
      status: s.featVisStatus,
      picture: s.featVisPicture,
      pictureStep: s.featVisPictureStep,
      outcome: s.featVisOutcome,
      target: s.featVisTarget,
    })),
  );

/** The dataset examples as a job, the unit they rank by and how many of the page's images are read. */
export const useDatasetExamplesJob = () =>
  useAppStore(
    useShallow((s) => ({
      status: s.featVisExamplesStatus,
      progress: s.featVisExamplesProgress,
      examples: s.featVisExamples,
      error: s.featVisExamplesError,
      target: s.featVisTarget,
      ready: s.modelStatus === 'ready',
      readImages: s.images.filter((i) => i.status === 'done').length,
    })),
  );
