/** Above the compared rows: how often each pair of models agrees, and each model's mean time per image. */
import { allPairAgreements, meanMs } from '../shared/comparison';
import type { ComparisonRow } from '../shared/comparison';
import { formatMs, formatShare } from '../shared/format';
import './compare.css';

interface Props {
  rows: readonly ComparisonRow[];
  modelIds: readonly string[];
  labels: ReadonlyMap<string, string>;
  topK: number;
}

const fraction = (value: number | null) => (value === null ? '–' : formatShare(value));

export function CompareSummary({ rows, modelIds, labels, topK }: Props) {
  const pairs = allPairAgreements(rows, modelIds);
  const label = (id: string) => labels.get(id) ?? id;
  const depth = Math.min(5, topK);
  return (
    <div className="compare-summary" data-testid="compare-summary">
      <div className="compare-summary__block">
        <h3 className="field__label">Agreement</h3>
        <div className="compare-scroll">
          <table className="compare-table">
            <thead>
              <tr>
                <th scope="col">Models</th>
                <th scope="col">Same top-1</th>
                <th
                  scope="col"
                  title={`The share of the top-${depth} classes the two have in common, on average`}
                >
                  Top-{depth} overlap
                </th>
                <th scope="col">Images</th>
              </tr>
            </thead>
            <tbody>
              {pairs.map((pair) => (
                <tr
                  key={`${pair.modelA}|${pair.modelB}`}
                  data-testid="agreement"
                  data-model-a={pair.modelA}
                  data-model-b={pair.modelB}
                  data-top1-agreement={pair.top1Agreement ?? ''}
                  data-top5-overlap={pair.top5Overlap ?? ''}
                  data-n={pair.n}
                >
                  <th scope="row">
                    {label(pair.modelA)} <span className="muted">vs</span> {label(pair.modelB)}
                  </th>
                  <td>{fraction(pair.top1Agreement)}</td>
                  <td>{fraction(pair.top5Overlap)}</td>
                  <td>{pair.n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div className="compare-summary__block">
        <h3 className="field__label">Mean time per image</h3>
        <ul className="compare-times">
          {modelIds.map((id) => {
            const ms = meanMs(rows, id);
            return (
              <li key={id} data-testid="compare-mean-ms" data-model-id={id} data-mean-ms={ms ?? ''}>
                <span className="compare-times__model">{label(id)}</span>
                <span className="compare-times__ms">{ms === null ? '–' : formatMs(ms)}</span>
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
