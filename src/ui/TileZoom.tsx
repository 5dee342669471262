/** One feature-map tile, enlarged next to the input. */
import { useEffect, useRef } from 'react';

import type { StageRender } from '../shared/protocol';

interface Props {
  render: StageRender;
  channel: number;
  size: number;
}

/** One channel's tile, cut out of the stage atlas bitmap and enlarged (crisp pixels, no smoothing). */
export function TileZoom({ render, channel, size }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { columns, tileWidth, tileHeight, gap, order } = render.layout;
  const tile = order.indexOf(channel);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || tile < 0 || render.bitmap.width === 0) return;
    ctx.imageSmoothingEnabled = false;
    const sx = (tile % columns) * (tileWidth + gap);
    const sy = Math.floor(tile / columns) * (tileHeight + gap);
    ctx.clearRect(0, 0, size, size);
    ctx.drawImage(render.bitmap, sx, sy, tileWidth, tileHeight, 0, 0, size, size);
  }, [render, tile, columns, tileWidth, tileHeight, gap, size]);
  return (
    <figure className="zoom">
      <canvas
        ref={ref}
        width={size}
        height={size}
        data-testid="tile-zoom"
        data-stage={render.stage}
        data-channel={channel}
        role="img"
        aria-label={`${render.stage}, channel ${channel}, enlarged`}
      />
      <figcaption className="small">
        {render.stage}, channel {channel} ({tileWidth}x{tileHeight})
      </figcaption>
    </figure>
  );
}
