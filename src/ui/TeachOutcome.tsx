/**
 * How the teaching went: running, done (accuracies on both sides of the held-out split, the confusion matrix and
 * the curves) or failed; and why a folder cannot be taught, with the files left out.
 */
import { useShallow } from 'zustand/react/shallow';

import { formatShare } from '../shared/format';
import { useAppStore } from '../store';
import { TeachConfusion } from './TeachConfusion';
import { TeachCurve } from './TeachCurve';

export function TeachOutcome() {
  const { phase, epochs, result, failure, choice, keptError } = useAppStore(
    useShallow((s) => ({
      phase: s.teachPhase,
      epochs: s.teachEpochs,
      result: s.teachResult,
      failure: s.teachFailure,
      choice: s.teachChoice,
      keptError: s.keptError,
    })),
  );
  const problems = failure?.problems ?? choice?.problems ?? [];
  const skipped = failure ? failure.skipped : (choice?.skipped ?? []);
  const state = phase !== null ? 'running' : result ? 'done' : failure ? 'error' : null;
  const report = phase === null ? result?.report : undefined;
  return (
    <>
      {state && (
        <div
          className="teach-result"
          data-testid="teach-result"
          data-state={state}
          data-train-accuracy={report?.trainAccuracy ?? ''}
          data-val-accuracy={report?.heldOutAccuracy ?? ''}
          data-classes={result && report ? JSON.stringify(result.classNames) : ''}
        >
          {report && result && (
            <p className="small">
              <strong>{result.model.taught?.id ?? 'The taught model'}</strong> is now the active model.
              Accuracy: {formatShare(report.trainAccuracy)} on the {report.train.length} images it learned
              from, {formatShare(report.heldOutAccuracy)} on the {report.heldOut.length} held out (epoch{' '}
              {report.bestEpoch + 1}
              {report.stoppedEarly ? ', stopped early' : ''}).
            </p>
          )}
          {epochs.length > 0 && <TeachCurve epochs={epochs} best={report?.bestEpoch ?? null} />}
          {report && result && <TeachConfusion classNames={result.classNames} confusion={report.confusion} />}
        </div>
      )}
      {/* An import's refusal, said below, is the one error shown: the folder's comes back with the next choice. */}
      {phase === null && problems.length > 0 && !keptError && (
        <div className="teach-error" data-testid="teach-error" role="alert">
          <p className="small">
            <strong>This folder cannot be taught:</strong>
          </p>
          <ul className="small">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
          {skipped.length > 0 && (
            <>
              <p className="small">Left out:</p>
              <ul className="small" data-testid="teach-skipped">
                {skipped.map((f) => (
                  <li key={f.path}>
                    {f.path}: {f.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </>
  );
}
