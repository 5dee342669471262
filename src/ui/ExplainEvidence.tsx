/**
 * The evidence for trusting a map: its faithfulness curves, every method's faithfulness side by side, and the
 * sanity check's strip, each with its job's state while it runs.
 */
import { explainMethodSpec } from '../shared/explain';
import { IMAGENET_LABELS } from '../shared/imagenetLabels';
import {
  useCamOpacity,
  useExplainChoices,
  useExplainComparison,
  useExplainFaithfulness,
  useExplainSanity,
} from '../store/hooks';
import { ExplainJobNote } from './ExplainJobNote';
import { FaithfulnessView } from './FaithfulnessView';
import { MethodComparison } from './MethodComparison';
import { SanityStrip } from './SanityStrip';

const className = (i: number) => IMAGENET_LABELS[i] ?? `class ${i}`;

/** Faithfulness of the map shown and the comparison of every method, once either was asked for. */
export function ExplainFaithfulness() {
  const { method } = useExplainChoices();
  const faithfulness = useExplainFaithfulness();
  const comparison = useExplainComparison();
  if (!faithfulness && !comparison) return null;
  return (
    <div className="explain__evidence">
      {faithfulness && (
        <div className="explain__block">
          <h4>
            Faithfulness of {explainMethodSpec(faithfulness.request.methods[0]!).label}
            {faithfulness.result ? ` at ${faithfulness.result.stage}` : ''}
          </h4>
          <ExplainJobNote
            status={faithfulness.status}
            error={faithfulness.error}
            what="measure faithfulness"
          />
          {faithfulness.result && <FaithfulnessView curves={faithfulness.result} />}
        </div>
      )}
      {comparison && (
        <div className="explain__block">
          <h4>All methods compared</h4>
          <ExplainJobNote status={comparison.status} error={comparison.error} what="compare the methods" />
          {comparison.result && (
            <MethodComparison
              curves={comparison.result}
              current={method}
              caption={`At ${comparison.request.stage} for “${className(comparison.request.classIndex)}” (input-level methods ignore the stage).`}
            />
          )}
        </div>
      )}
    </div>
  );
}

/** The sanity check of the map shown, once it was asked for. */
export function ExplainSanity({ input }: { input: ImageBitmap }) {
  const sanity = useExplainSanity();
  const opacity = useCamOpacity();
  if (!sanity) return null;
  return (
    <div className="explain__block">
      <h4>
        Sanity check of {explainMethodSpec(sanity.request.method).label} at {sanity.request.stage}
      </h4>
      <p className="small muted">
        From the left: the trained model, then with its weights randomized from the head down to each stage
        (ρ: rank correlation with the trained model&apos;s map).
      </p>
      <ExplainJobNote status={sanity.status} error={sanity.error} what="run the sanity check" />
      {sanity.result && <SanityStrip result={sanity.result} input={input} opacity={opacity} />}
    </div>
  );
}
