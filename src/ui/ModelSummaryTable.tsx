/** The active model's stages: output shape and parameters, with totals. */
import { FLAVOR_LABELS, VARIANTS } from '../shared/variants';
import { useSummary } from '../store/hooks';
import { formatCount, formatShape } from '../shared/format';

export function ModelSummaryTable() {
  const summary = useSummary();
  if (!summary) return <p className="muted small">The model summary appears once the model is built.</p>;
  return (
    <table
      className="summary"
      data-testid="model-summary"
      data-variant={summary.variant}
      data-flavor={summary.flavor}
      data-total-params={summary.totalParams}
      data-trainable-params={summary.trainableParams}
      data-non-trainable-params={summary.nonTrainableParams}
    >
      <caption>
        {VARIANTS[summary.variant].label} ({FLAVOR_LABELS[summary.flavor]}), input 224x224x3
      </caption>
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col">Output</th>
          <th scope="col" className="num">
            Parameters
          </th>
        </tr>
      </thead>
      <tbody>
        {summary.stages.map((s) => (
          <tr
            key={s.stage}
            data-testid="summary-row"
            data-stage={s.stage}
            data-output-shape={formatShape(s.outputShape)}
            data-params={s.params}
          >
            <th scope="row">{s.stage}</th>
            <td>{formatShape(s.outputShape)}</td>
            <td className="num">{formatCount(s.params)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={2}>
            Total
          </th>
          <td className="num">{formatCount(summary.totalParams)}</td>
        </tr>
        <tr className="muted">
          <th scope="row" colSpan={2}>
            Trainable
          </th>
          <td className="num">{formatCount(summary.trainableParams)}</td>
        </tr>
        <tr className="muted">
          <th scope="row" colSpan={2}>
            Non-trainable (BN statistics)
          </th>
          <td className="num">{formatCount(summary.nonTrainableParams)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
