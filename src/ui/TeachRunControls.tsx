/** Train and Cancel, and the run's phase and progress while it goes (or that it was cancelled). */
import { useAppStore } from '../store';

const PHASE_LABEL = { features: 'Reading features', training: 'Training' } as const;

export function TeachRunControls() {
  const train = useAppStore((s) => s.train);
  const cancel = useAppStore((s) => s.cancelTeach);
  const phase = useAppStore((s) => s.teachPhase);
  const progress = useAppStore((s) => s.teachProgress);
  const cancelled = useAppStore((s) => s.teachCancelled);
  const ready = useAppStore(
    (s) =>
      s.modelStatus === 'ready' &&
      s.teachFiles.length > 0 &&
      s.teachName.trim() !== '' &&
      (s.teachChoice?.problems.length ?? 0) === 0,
  );
  return (
    <div className="teach-run">
      <div className="teach-run__buttons">
        <button
          type="button"
          className="button button--primary"
          data-testid="teach-train"
          disabled={!ready || phase !== null}
          onClick={() => void train()}
        >
          Train
        </button>
        {phase !== null && (
          <button type="button" className="button" data-testid="teach-cancel" onClick={cancel}>
            Cancel
          </button>
        )}
      </div>
      {phase !== null && (
        <div className="teach-progress small" data-testid="teach-progress" data-phase={phase} role="status">
          <span>
            {PHASE_LABEL[phase]}: {progress?.message ?? 'Starting'}…
          </span>
          <progress max={1} value={progress?.fraction ?? 0} aria-label={PHASE_LABEL[phase]} />
        </div>
      )}
      {phase === null && cancelled && (
        <p className="small muted" data-testid="teach-cancelled" role="status">
          Teaching was cancelled; the active model is unchanged.
        </p>
      )}
    </div>
  );
}
