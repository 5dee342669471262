/**
 * How the explanation asked for ended when it drew nothing: cancelled (by the user, or by the engine for a new
 * model, which draws it again by itself), or its error.
 */
import { useAppStore } from '../store';
import { useExplanation } from '../store/hooks';

export function ExplainOutcome() {
  const explanation = useExplanation();
  const modelChanging = useAppStore((s) => s.modelStatus === 'loading');
  if (explanation?.status === 'cancelled') {
    return (
      <p className="explain__note small" role="status" data-testid="explain-cancelled">
        {modelChanging ? (
          // Stopped by the engine for the new model, not by the user: it comes back by itself.
          <>
            Stopped while the model changes.{' '}
            <span className="muted">It is drawn again once the new model is ready.</span>
          </>
        ) : (
          <>
            Cancelled. <span className="muted">Change a choice or press Explain again to run it anew.</span>
          </>
        )}
      </p>
    );
  }
  if (explanation?.status === 'error') {
    return (
      <p className="card__error" role="alert" data-testid="error">
        Could not explain: {explanation.error}
      </p>
    );
  }
  return null;
}
