/**
 * A small bar chart of every block's residual-to-shortcut RMS ratio: how much each block changes the signal. Its
 * values come in their own request after the block's detail, so the chart says so while they are measured.
 */
import type { BlockContribution } from '../shared/network';
import { useBlockContributions } from '../store/hooks';

const WIDTH = 320;
const HEIGHT = 64;

export function BlockRatioChart({ selected }: { selected: string }) {
  const { contributions, ms, status } = useBlockContributions();
  if (!contributions) {
    return (
      <p className="small muted arch-ratios" aria-busy={status === 'running'}>
        {status === 'error'
          ? 'The ratio chart could not be measured; open a block again to retry.'
          : 'Measuring every block for the ratio chart\u2026'}
      </p>
    );
  }
  return <RatioBars contributions={contributions} ms={ms} selected={selected} />;
}

function RatioBars({
  contributions,
  ms,
  selected,
}: {
  contributions: readonly BlockContribution[];
  ms: number | null;
  selected: string;
}) {
  const ratios = contributions.map((c) => c.residualRms / c.shortcutRms);
  const top = Math.max(1, ...ratios);
  const step = WIDTH / Math.max(1, ratios.length);
  const words = contributions.map((c, i) => `${c.nodeId} ${ratios[i]!.toFixed(2)}`).join(', ');
  return (
    <figure className="arch-ratios">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="arch-ratios__chart"
        data-testid="arch-ratios"
        data-count={ratios.length}
        data-contributions-ms={ms ?? ''}
        role="img"
        aria-label={`Residual-to-shortcut RMS ratio of each block: ${words}`}
      >
        {/* The ratio 1: a branch as strong as the signal it is added to. */}
        <line
          x1={0}
          x2={WIDTH}
          y1={HEIGHT - HEIGHT / top}
          y2={HEIGHT - HEIGHT / top}
          className="arch-ratios__one"
        />
        {ratios.map((r, i) => {
          const h = Math.max(1, (r / top) * HEIGHT);
          const id = contributions[i]!.nodeId;
          return (
            <rect
              key={id}
              x={i * step + 1}
              y={HEIGHT - h}
              width={Math.max(1, step - 2)}
              height={h}
              className={id === selected ? 'arch-ratios__bar arch-ratios__bar--selected' : 'arch-ratios__bar'}
            />
          );
        })}
      </svg>
      <figcaption className="small muted">
        Branch / shortcut RMS per block, input side first (line: 1); this block highlighted.
      </figcaption>
    </figure>
  );
}
