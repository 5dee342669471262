/** How faithful the map shown is to the model: its deletion and insertion curves side by side. */
import type { FaithfulnessCurves } from '../shared/explain';
import { FaithfulnessPlot } from './FaithfulnessPlot';

export function FaithfulnessView({ curves }: { curves: FaithfulnessCurves }) {
  return (
    <div
      className="faithfulness"
      data-testid="faithfulness"
      data-method={curves.method}
      data-stage={curves.stage}
      data-class-index={curves.classIndex}
      data-deletion-auc={curves.deletionAuc}
      data-insertion-auc={curves.insertionAuc}
      data-deletion={curves.deletion.join(',')}
      data-insertion={curves.insertion.join(',')}
    >
      <FaithfulnessPlot kind="deletion" values={curves.deletion} auc={curves.deletionAuc} />
      <FaithfulnessPlot kind="insertion" values={curves.insertion} auc={curves.insertionAuc} />
    </div>
  );
}
