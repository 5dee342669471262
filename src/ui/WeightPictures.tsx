/**
 * The model's weights as pictures, read on demand: the stem's filters as RGB tiles (each normalized on its own)
 * and a histogram of each layer's weights, where seeded and trained weights visibly differ.
 */
import { useEffect, useMemo, useRef } from 'react';

import { filterTiles } from '../shared/weightStats';
import type { LayerHistogram, WeightStats } from '../shared/weightStats';
import { useAppStore } from '../store';

function FilterCanvas({ kernel }: { kernel: WeightStats['stemKernel'] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const tiles = useMemo(() => filterTiles(kernel), [kernel]);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    ctx?.putImageData(new ImageData(new Uint8ClampedArray(tiles.rgba), tiles.width, tiles.height), 0, 0);
  }, [tiles]);
  const [kh, kw] = kernel.shape;
  return (
    <canvas
      ref={ref}
      className="arch-filters"
      width={tiles.width}
      height={tiles.height}
      data-testid="first-layer-filters"
      data-count={tiles.count}
      role="img"
      aria-label={`The stem's ${tiles.count} filters, ${kh}x${kw} each, as RGB tiles normalized one by one`}
    />
  );
}

function Histogram({ h }: { h: LayerHistogram }) {
  const top = Math.max(1, ...h.counts);
  const bar = 60 / h.counts.length;
  return (
    <figure className="arch-histogram" data-testid="weight-histogram" data-layer={h.layer}>
      <svg
        viewBox="0 0 60 20"
        role="img"
        aria-label={`${h.layer}: weights from ${h.min.toPrecision(3)} to ${h.max.toPrecision(3)}`}
      >
        {h.counts.map((c, i) => (
          <rect key={i} x={i * bar} y={20 - (c / top) * 20} width={bar} height={(c / top) * 20} />
        ))}
      </svg>
      <figcaption>{h.layer}</figcaption>
    </figure>
  );
}

export function WeightPictures() {
  const stats = useAppStore((s) => s.weightStats);
  const status = useAppStore((s) => s.weightStatsStatus);
  const load = useAppStore((s) => s.loadWeightStats);
  if (!stats) {
    return (
      <p className="small">
        <button
          type="button"
          className="button"
          data-testid="weights-show"
          disabled={status === 'running'}
          onClick={() => void load()}
        >
          {status === 'running'
            ? 'Reading the weights…'
            : 'Show the first-layer filters and weight histograms'}
        </button>
        {status === 'error' ? ' The weights could not be read.' : ''}
      </p>
    );
  }
  return (
    <div className="arch-weights">
      <h3>First-layer filters</h3>
      <FilterCanvas kernel={stats.stemKernel} />
      <h3>Weights of each layer</h3>
      <div className="arch-histograms">
        {stats.histograms.map((h) => (
          <Histogram key={h.layer} h={h} />
        ))}
      </div>
    </div>
  );
}
