/** One stage's channels as a tile atlas, with hover statistics and click to enlarge. */
import { useState } from 'react';
import type { MouseEvent } from 'react';

import type { StageRender } from '../shared/protocol';
import { formatShape } from '../shared/format';
import { useAppStore } from '../store';
import { BitmapCanvas } from './BitmapCanvas';

interface Props {
  render: StageRender;
  selectedChannel: number | null;
}

interface Hover {
  channel: number;
  x: number;
  y: number;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));

/** The tile under a point of the canvas, from the atlas layout (no pixel reading). */
function tileAt(render: StageRender, e: MouseEvent<HTMLCanvasElement>): number | null {
  const canvas = e.currentTarget;
  const rect = canvas.getBoundingClientRect();
  const px = ((e.clientX - rect.left) / rect.width) * canvas.width;
  const py = ((e.clientY - rect.top) / rect.height) * canvas.height;
  const { columns, tileWidth, tileHeight, gap, order } = render.layout;
  const col = Math.floor(px / (tileWidth + gap));
  const row = Math.floor(py / (tileHeight + gap));
  if (
    col < 0 ||
    col >= columns ||
    px - col * (tileWidth + gap) >= tileWidth ||
    py - row * (tileHeight + gap) >= tileHeight
  ) {
    return null;
  }
  return order[row * columns + col] ?? null;
}

export function StageAtlas({ render, selectedChannel }: Props) {
  const zoomTile = useAppStore((s) => s.zoomTile);
  const [hover, setHover] = useState<Hover | null>(null);
  const shape = formatShape(render.outputShape);
  return (
    <figure className="stage">
      <figcaption>
        <strong>{render.stage}</strong>
        <span className="muted small">
          {shape} · {render.channels} channels
        </span>
      </figcaption>
      <div className="stage__canvas">
        <BitmapCanvas
          bitmap={render.bitmap}
          className="atlas"
          data-testid="feature-map"
          data-stage={render.stage}
          data-output-shape={shape}
          data-channels={render.channels}
          data-mean={render.mean}
          data-std={render.std}
          role="img"
          aria-label={`${render.channels} feature maps of ${render.stage}, ${shape}`}
          onMouseMove={(e) => {
            const channel = tileAt(render, e);
            const box = e.currentTarget.parentElement!.getBoundingClientRect();
            setHover(channel === null ? null : { channel, x: e.clientX - box.left, y: e.clientY - box.top });
          }}
          onMouseLeave={() => setHover(null)}
          onClick={(e) => {
            const channel = tileAt(render, e);
            if (channel !== null) zoomTile({ stage: render.stage, channel });
          }}
        />
        {hover && (
          <div className="tile-tip" style={{ left: hover.x + 12, top: hover.y + 12 }} role="tooltip">
            <strong>channel {hover.channel}</strong>
            <span>
              min {fmt(render.stats.min[hover.channel]!)} · max {fmt(render.stats.max[hover.channel]!)} · mean{' '}
              {fmt(render.stats.mean[hover.channel]!)}
            </span>
          </div>
        )}
        {selectedChannel !== null && <span className="sr-only">channel {selectedChannel} enlarged</span>}
      </div>
    </figure>
  );
}
