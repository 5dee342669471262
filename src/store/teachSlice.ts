/**
 * The Teach panel's state (issue #26): the folder chosen and what it holds, the taught model's name and options,
 * the run's phase, progress and curve, and how it ended. Training is runTeaching's; the taught model becomes the
 * active one through the model slice.
 */
import { snapshotDrop } from '../client/droppedItems';
import { LatestJob } from '../client/latest';
import { TeachSetError, runTeaching } from '../client/teachRun';
import type { TeachPhase, TeachRunFile, TeachRunResult } from '../client/teachRun';
import { teachRunFile, teachingFilesOfDrop } from '../client/teachingFiles';
import { teachingFolder } from '../client/teachingFolder';
import type { SkippedFile } from '../client/teachingFolder';
import { isJobCancelled } from '../shared/jobs';
import type { Progress } from '../shared/progress';
import { labeledSetProblems } from '../shared/teach/labeledSet';
import type { EpochRecord } from '../shared/teach/teachJob';
import type { SliceCreator } from './types';

/** What the chosen folder holds, as the panel lists it before training. */
export interface TeachChoice {
  classes: { name: string; imageCount: number }[];
  skipped: SkippedFile[];
  /** The labeled-set rules it breaks; training is offered only when there are none. */
  problems: string[];
}

/** Why the last run ended without a model: the set's problems (with the files left out) or a failure's message. */
export interface TeachFailure {
  problems: string[];
  skipped: SkippedFile[];
}

export interface TeachSlice {
  teachOpen: boolean;
  /** The files of the folder chosen, each with its path inside what was picked or dropped. */
  teachFiles: TeachRunFile[];
  teachChoice: TeachChoice | null;
  teachName: string;
  teachKeepImageNet: boolean;
  /** Learn from four more views of each image (mirror and crops), read in the features phase at a pass each. */
  teachAugment: boolean;
  /** The phase of the run under way; null when none is. */
  teachPhase: TeachPhase | null;
  teachProgress: Progress | null;
  /** The run's epochs so far: the curve. */
  teachEpochs: EpochRecord[];
  teachResult: TeachRunResult | null;
  teachFailure: TeachFailure | null;
  /** The last run was cancelled by the user: the panel says so, and nothing else changed. */
  teachCancelled: boolean;
  openTeach: () => void;
  closeTeach: () => void;
  /** A folder picked or dropped: its classes and problems, and the name it suggests (the folder's own). */
  chooseTeachFiles: (files: TeachRunFile[]) => void;
  /** The files of the folder input (each with its webkitRelativePath). */
  pickTeachFolder: (files: readonly File[]) => void;
  /** A drop on the panel: folders walked to the end; read from the event before it ends. */
  dropTeachFolder: (data: DataTransfer) => Promise<void>;
  setTeachName: (name: string) => void;
  setTeachKeepImageNet: (on: boolean) => void;
  setTeachAugment: (on: boolean) => void;
  /** Teaches the chosen folder on the active model (or, when that one is taught, on its backbone). */
  train: () => Promise<void>;
  /** Cancels the run in either phase. */
  cancelTeach: () => void;
}

/** Every run is seeded the same way, so the same folder and options give the same head. */
export const TEACH_SEED = 26;

export const createTeachSlice: SliceCreator<TeachSlice> = (set, get, _store, context) => {
  const runs = new LatestJob();
  const stopRun = () => runs.stop();

  return {
    teachOpen: false,
    teachFiles: [],
    teachChoice: null,
    teachName: '',
    teachKeepImageNet: false,
    teachAugment: false,
    teachPhase: null,
    teachProgress: null,
    teachEpochs: [],
    teachResult: null,
    teachFailure: null,
    teachCancelled: false,

    openTeach: () => set({ teachOpen: true }),

    closeTeach: () => {
      get().cancelTeach();
      set({ teachOpen: false });
    },

    chooseTeachFiles: (files) => {
      stopRun();
      const folder = teachingFolder(files);
      const classes = folder.classes.map((c) => ({ name: c.name, imageCount: c.files.length }));
      set({
        teachFiles: files,
        teachChoice: {
          classes,
          skipped: folder.skipped,
          problems: labeledSetProblems(classes).map((p) => p.message),
        },
        teachName: folder.rootName ?? get().teachName,
        teachPhase: null,
        teachProgress: null,
        teachEpochs: [],
        teachResult: null,
        teachFailure: null,
        teachCancelled: false,
        keptError: null,
      });
    },

    pickTeachFolder: (files) => get().chooseTeachFiles(files.map((file) => teachRunFile(file))),

    dropTeachFolder: async (data) => {
      const files = await teachingFilesOfDrop(snapshotDrop(data));
      if (files.length > 0) get().chooseTeachFiles(files);
    },

    setTeachName: (teachName) => set({ teachName }),
    setTeachKeepImageNet: (teachKeepImageNet) => set({ teachKeepImageNet }),
    setTeachAugment: (teachAugment) => set({ teachAugment }),

    train: async () => {
      const s = get();
      const engine = context.engine;
      const backbone = s.taught?.backbone ?? s.modelHandle;
      if (!engine || !backbone || s.modelStatus !== 'ready' || s.teachFiles.length === 0) return;
      const { isCurrent, signal } = runs.begin();
      set({
        teachPhase: 'features',
        teachProgress: { fraction: 0, message: 'Starting' },
        teachEpochs: [],
        teachResult: null,
        teachFailure: null,
        teachCancelled: false,
        keptError: null,
      });
      try {
        const result = await runTeaching(
          engine,
          backbone,
          s.teachFiles,
          {
            name: s.teachName.trim(),
            keepImageNet: s.teachKeepImageNet,
            seed: TEACH_SEED,
            augment: s.teachAugment,
          },
          {
            signal,
            onPhase: (teachPhase) => {
              if (isCurrent()) set({ teachPhase, teachProgress: { fraction: 0, message: 'Starting' } });
            },
            onProgress: (teachProgress) => {
              if (isCurrent()) set({ teachProgress });
            },
            onEpoch: (epoch) => {
              if (isCurrent()) set({ teachEpochs: [...get().teachEpochs, epoch] });
            },
          },
        );
        if (!isCurrent() || context.engine !== engine) {
          void engine.release(result.model.handle).catch(() => undefined);
          return;
        }
        set({ teachPhase: null, teachProgress: null, teachResult: result });
        get().adoptTaughtModel(result.model);
        void get().keepTaughtModel();
      } catch (err) {
        if (!isCurrent()) return;
        if (isJobCancelled(err)) {
          set({ teachPhase: null, teachProgress: null, teachCancelled: true });
          return;
        }
        const failure: TeachFailure =
          err instanceof TeachSetError
            ? { problems: err.problems, skipped: err.skipped }
            : { problems: [err instanceof Error ? err.message : String(err)], skipped: [] };
        set({ teachPhase: null, teachProgress: null, teachFailure: failure });
      }
    },

    cancelTeach: () => {
      if (!get().teachPhase) return;
      stopRun();
      set({ teachPhase: null, teachProgress: null, teachCancelled: true });
    },
  };
};
