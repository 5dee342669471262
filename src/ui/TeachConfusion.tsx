/** The held-out confusion matrix: a row per true class, a column per answer (and "ImageNet" with keep-ImageNet). */
import type { ConfusionMatrix } from '../shared/teach/classMetrics';

export function TeachConfusion({
  classNames,
  confusion,
}: {
  classNames: readonly string[];
  confusion: ConfusionMatrix;
}) {
  const withOutside = confusion.outside.some((n) => n > 0);
  return (
    <div className="teach-confusion-wrap">
      <table className="teach-confusion small" data-testid="teach-confusion">
        <caption>Held-out images: true class (rows) by answer (columns)</caption>
        <thead>
          <tr>
            <td />
            {classNames.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
            {withOutside && <th scope="col">ImageNet</th>}
          </tr>
        </thead>
        <tbody>
          {confusion.counts.map((row, actual) => (
            <tr key={classNames[actual]}>
              <th scope="row">{classNames[actual]}</th>
              {row.map((count, answer) => (
                <td
                  key={answer}
                  className={
                    count === 0
                      ? 'teach-cell--zero'
                      : answer === actual
                        ? 'teach-cell--right'
                        : 'teach-cell--wrong'
                  }
                >
                  {count}
                </td>
              ))}
              {withOutside && <td>{confusion.outside[actual]}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
