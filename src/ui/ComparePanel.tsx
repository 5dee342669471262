/** The sidebar's compare switch and the choice of two to four models to classify every image with. */
import { weightsSlug } from '../shared/modelIds';
import { MAX_COMPARED, MIN_COMPARED } from '../shared/permalink';
import { useAppStore } from '../store';
import {
  useActiveModelId,
  useCompareCandidates,
  useCompareMode,
  useComparedIds,
  useIdentifyingWeights,
  useUnidentifiedWeights,
} from '../store/compareHooks';
import './compare.css';

export function ComparePanel() {
  const on = useCompareMode();
  const chosen = useComparedIds();
  const candidates = useCompareCandidates();
  const activeId = useActiveModelId();
  const unidentified = useUnidentifiedWeights();
  const identifying = useIdentifyingWeights();
  const setCompareMode = useAppStore((s) => s.setCompareMode);
  const toggle = useAppStore((s) => s.toggleComparedModel);
  const identify = useAppStore((s) => s.identifyCachedWeights);
  const full = chosen.length >= MAX_COMPARED;
  return (
    <section className="panel compare-panel" aria-label="Compare models">
      <h2>Compare</h2>
      <label className="compare-check">
        <input
          type="checkbox"
          data-testid="compare-toggle"
          checked={on}
          onChange={(e) => setCompareMode(e.target.checked)}
        />
        <span>Compare models side by side</span>
      </label>
      {on && (
        <fieldset className="compare-models">
          <legend className="field__label">
            Models ({MIN_COMPARED} to {MAX_COMPARED})
          </legend>
          {candidates.map((model) => {
            const checked = chosen.includes(model.id);
            return (
              <label key={model.id} className="compare-check" title={model.id}>
                <input
                  type="checkbox"
                  data-testid="compare-model"
                  data-model-id={model.id}
                  checked={checked}
                  disabled={!checked && full}
                  onChange={() => toggle(model.id)}
                />
                <span>
                  {model.label}
                  {model.id === activeId && <span className="muted"> · active</span>}
                </span>
              </label>
            );
          })}
          {unidentified.map((entry) => (
            <label key={entry.id} className="compare-check" title={entry.name}>
              <input
                type="checkbox"
                data-testid="compare-model-unidentified"
                data-cache-id={entry.id}
                checked={false}
                disabled={full || identifying !== null}
                onChange={() => void identify(entry.id)}
              />
              <span>
                {weightsSlug(entry.name)}{' '}
                <span className="muted">
                  {identifying === entry.id
                    ? '(loading to find its variant…)'
                    : '(variant unknown until loaded)'}
                </span>
              </span>
            </label>
          ))}
          <p className="small muted compare-models__note" data-testid="compare-choice-note">
            {chosen.length < MIN_COMPARED
              ? `Choose at least ${MIN_COMPARED} models.`
              : `Every image is classified by each of the ${chosen.length}, one model at a time. Seeded ResNet18/34 are untrained.`}
          </p>
        </fieldset>
      )}
    </section>
  );
}
