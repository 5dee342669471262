/**
 * A secondary explanation job's state in words (faithfulness, comparison, sanity check): waiting, computing,
 * cancelled (calmly, as the user's own choice), or its error.
 */
import type { ExplainJobStatus } from '../store/explainSlice';

export function ExplainJobNote({
  status,
  error,
  what,
}: {
  status: ExplainJobStatus;
  error: string | null;
  what: string;
}) {
  if (status === 'done') return null;
  if (status === 'error') {
    return (
      <p className="card__error" role="alert" data-testid="error">
        Could not {what}: {error}
      </p>
    );
  }
  const text = { queued: 'Waiting for the job before it…', running: 'Computing…', cancelled: 'Cancelled.' }[
    status
  ];
  return (
    <p className="explain__note small muted" role="status">
      {text}
    </p>
  );
}
