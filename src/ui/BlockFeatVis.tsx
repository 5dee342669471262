/**
 * Feature visualization of one channel of the block shown (issue #27): a channel box that starts at the channel
 * strongest on the image looked inside, and a button that makes it the target and opens the panel.
 */
import { useState } from 'react';

import type { StageRender } from '../shared/protocol';
import { useAppStore } from '../store';

/** The channel with the largest mean over the block's output for this image. */
function strongestChannel(render: StageRender): number {
  let best = 0;
  render.stats.mean.forEach((m, c) => {
    if (m > render.stats.mean[best]!) best = c;
  });
  return best;
}

/** Remount it for another block or image (key on both): its box starts from that render's strongest channel. */
export function BlockFeatVis({ nodeId, render }: { nodeId: string; render: StageRender }) {
  const visualize = useAppStore((s) => s.openFeatVis);
  const strongest = strongestChannel(render);
  const [text, setText] = useState(String(strongest));
  const n = Number(text);
  const channel = text.trim() !== '' && Number.isInteger(n) && n >= 0 && n < render.channels ? n : null;
  return (
    <div className="arch-featvis">
      <label className="field featvis__number">
        <span className="field__label">Channel (0 to {render.channels - 1})</span>
        <input
          type="number"
          data-testid="featvis-block-channel"
          min={0}
          max={render.channels - 1}
          step={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <button
        type="button"
        className="button"
        data-testid="featvis-channel"
        disabled={channel === null}
        onClick={() => {
          visualize({ kind: 'block', block: nodeId, channel: channel! });
          // The panel sits in Look inside, below the results: bring it into view.
          requestAnimationFrame(() =>
            document.getElementById('featvis-title')?.scrollIntoView({ block: 'nearest' }),
          );
        }}
      >
        What excites {channel === null ? 'this channel' : `channel ${channel}`}?
      </button>
      <p className="small muted">
        Starts at channel {strongest}, the strongest on this image (its largest mean over the block&rsquo;s
        output).
      </p>
    </div>
  );
}
