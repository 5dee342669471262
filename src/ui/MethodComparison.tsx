/**
 * Every method's faithfulness at one stage for one class, in a table, so methods can be chosen on evidence:
 * the best of each column is marked in words and weight, not by colour alone.
 */
import { explainMethodSpec } from '../shared/explain';
import type { ExplainMethod, FaithfulnessCurves } from '../shared/explain';

interface Props {
  curves: readonly FaithfulnessCurves[];
  /** Names the stage and class in the caption. */
  caption: string;
  current: ExplainMethod;
}

export function MethodComparison({ curves, caption, current }: Props) {
  if (curves.length === 0) return null;
  const bestDeletion = Math.min(...curves.map((c) => c.deletionAuc));
  const bestInsertion = Math.max(...curves.map((c) => c.insertionAuc));
  const cell = (value: number, best: boolean) => (
    <td className={`num${best ? ' faith-table__best' : ''}`} data-best={best ? 'true' : undefined}>
      {value.toFixed(3)}
      {best && (
        <>
          {' '}
          <span aria-hidden="true">★</span>
          <span className="visually-hidden"> (best)</span>
        </>
      )}
    </td>
  );
  return (
    <table className="summary faith-table" data-testid="faithfulness-compare">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Method</th>
          <th scope="col" className="num">
            Deletion AUC <span className="muted">↓ better</span>
          </th>
          <th scope="col" className="num">
            Insertion AUC <span className="muted">↑ better</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {curves.map((c) => (
          <tr
            key={c.method}
            data-testid="faithfulness-compare-row"
            data-method={c.method}
            data-deletion-auc={c.deletionAuc}
            data-insertion-auc={c.insertionAuc}
            className={c.method === current ? 'faith-table__current' : undefined}
            aria-current={c.method === current ? 'true' : undefined}
          >
            <th scope="row">{explainMethodSpec(c.method).label}</th>
            {cell(c.deletionAuc, c.deletionAuc === bestDeletion)}
            {cell(c.insertionAuc, c.insertionAuc === bestInsertion)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
