/**
 * The sanity check's answer: the method's map for the trained model and for ever more of it randomized, from
 * the head down. A method that explains the model must change as the weights it explains are destroyed.
 */
import { explainMethodSpec } from '../shared/explain';
import type { SanityResult } from '../shared/explain';
import { sanityVerdict } from '../store/explainSlice';
import { ExplainMapCanvas } from './ExplainMapCanvas';

interface Props {
  result: SanityResult;
  input: ImageBitmap;
  opacity: number;
}

/** A map that is constant (all zeros, say) has no ranks: its correlation is undefined. */
const rho = (r: number) => (Number.isFinite(r) ? r.toFixed(2) : 'undefined');

export function SanityStrip({ result, input, opacity }: Props) {
  const label = explainMethodSpec(result.method).label;
  const verdict = sanityVerdict(result);
  return (
    <div className="sanity" data-testid="sanity">
      {verdict && (
        <p
          className={`sanity__verdict ${verdict.passes ? 'sanity__verdict--pass' : 'sanity__verdict--fail'}`}
          data-testid="sanity-verdict"
          data-passes={String(verdict.passes)}
        >
          <strong>{verdict.passes ? 'Passes:' : 'Fails:'}</strong>{' '}
          {verdict.passes
            ? `${label}'s maps change as the weights are destroyed (median rank correlation ${verdict.medianCorrelation.toFixed(2)}): they depend on what the model learned.`
            : `${label}'s maps barely change when the weights are destroyed (median rank correlation ${verdict.medianCorrelation.toFixed(2)}): it is not explaining the model.`}
        </p>
      )}
      <ol className="sanity__strip">
        {result.maps.map((m) => (
          <li key={m.level}>
            <figure className="sanity__map">
              <ExplainMapCanvas
                input={input}
                overlay={m.bitmap}
                opacity={opacity}
                data-testid="sanity-map"
                data-level={m.level}
                data-rank-correlation={m.rankCorrelation}
                role="img"
                aria-label={`${label} map ${m.level === 'original' ? 'of the trained model' : `with the weights randomized down to ${m.level}`}; rank correlation with the original ${rho(m.rankCorrelation)}`}
              />
              <figcaption>
                <span>{m.level === 'original' ? 'trained' : `↓ ${m.level}`}</span>
                <span className="muted">ρ {rho(m.rankCorrelation)}</span>
              </figcaption>
            </figure>
          </li>
        ))}
      </ol>
    </div>
  );
}
