/**
 * One stage's channels as a tile atlas, with hover statistics and click (or tap) to enlarge; from the keyboard,
 * arrow keys move a highlighted tile and Enter enlarges it.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent, MouseEvent } from 'react';

import type { StageRender } from '../shared/protocol';
import { formatShape } from '../shared/format';
import { useAppStore } from '../store';
import { BitmapCanvas } from './BitmapCanvas';

interface Props {
  render: StageRender;
  selectedChannel: number | null;
  /** What the atlas is of, when not its stage's output (a block's, in the Network view). */
  title?: string;
  /**
   * False where a click must not enlarge the tile next to Look inside's input, which shows the stages' own
   * channels (a block's atlas in the Network view).
   */
  zoomable?: boolean;
}

interface Hover {
  channel: number;
  /** The pointer, from the figure's top left. */
  x: number;
  y: number;
  /** Past the figure's middle the tip opens to the left, so it never pushes the page wider. */
  flip: boolean;
  width: number;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));

/** The tile (its position in the atlas) under a point of the canvas, from the layout (no pixel reading). */
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
  const tile = row * columns + col;
  return tile < order.length ? tile : null;
}

/** Where a tile lies on the canvas, in percent, for the highlight laid over it (the canvas is scaled by CSS). */
function tileBox(render: StageRender, tile: number): CSSProperties {
  const { columns, rows, tileWidth, tileHeight, gap } = render.layout;
  const width = columns * (tileWidth + gap) - gap;
  const height = rows * (tileHeight + gap) - gap;
  const col = tile % columns;
  const row = Math.floor(tile / columns);
  return {
    left: `${((col * (tileWidth + gap)) / width) * 100}%`,
    top: `${((row * (tileHeight + gap)) / height) * 100}%`,
    width: `${(tileWidth / width) * 100}%`,
    height: `${(tileHeight / height) * 100}%`,
  };
}

/** The next tile for a key, or null for a key that does not move. */
function moved(key: string, tile: number, columns: number, count: number): number | null {
  const rowStart = tile - (tile % columns);
  const next: Record<string, number> = {
    ArrowRight: tile + 1,
    ArrowLeft: tile - 1,
    ArrowDown: tile + columns < count ? tile + columns : tile,
    ArrowUp: tile - columns >= 0 ? tile - columns : tile,
    Home: rowStart,
    End: Math.min(count - 1, rowStart + columns - 1),
    PageUp: 0,
    PageDown: count - 1,
  };
  const to = next[key];
  return to === undefined ? null : Math.min(count - 1, Math.max(0, to));
}

export function StageAtlas({ render, selectedChannel, title = render.stage, zoomable = true }: Props) {
  const zoomTile = useAppStore((s) => s.zoomTile);
  const [hover, setHover] = useState<Hover | null>(null);
  // The keyboard's tile, as a position in the atlas: it stays put when the channel order changes.
  const [cursor, setCursor] = useState(0);
  const [keyboard, setKeyboard] = useState(false);
  const cursorBox = useRef<HTMLDivElement>(null);
  const figure = useRef<HTMLElement>(null);
  const statusId = useId();
  const shape = formatShape(render.outputShape);
  const { columns, order } = render.layout;
  const count = order.length;
  const tile = Math.min(cursor, count - 1);
  const channel = order[tile] ?? 0;
  const selectedTile = selectedChannel === null ? -1 : order.indexOf(selectedChannel);

  // The highlighted tile stays in view as it moves (the atlas may scroll sideways on a phone).
  useEffect(() => {
    if (keyboard) cursorBox.current?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [keyboard, tile]);

  const stats = (c: number) =>
    `min ${fmt(render.stats.min[c]!)} · max ${fmt(render.stats.max[c]!)} · mean ${fmt(render.stats.mean[c]!)}`;

  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    if (zoomable && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      setKeyboard(true);
      zoomTile({ stage: render.stage, channel });
      return;
    }
    const next = moved(e.key, tile, columns, count);
    if (next === null) return;
    e.preventDefault(); // the arrows move the tile, not the page
    setKeyboard(true);
    setCursor(next);
  };

  return (
    <figure className="stage" ref={figure}>
      <figcaption>
        <strong>{title}</strong>
        <span className="muted small">
          {shape} · {render.channels} channels
        </span>
      </figcaption>
      <div className="stage__scroll">
        <div className="stage__canvas" style={{ '--atlas-columns': columns } as CSSProperties}>
          <BitmapCanvas
            bitmap={render.bitmap}
            className="atlas"
            data-testid="feature-map"
            data-stage={render.stage}
            data-output-shape={shape}
            data-channels={render.channels}
            data-mean={render.mean}
            data-std={render.std}
            // An application: a screen reader hands the arrow keys to it instead of reading the page with them.
            role="application"
            tabIndex={0}
            aria-label={`${render.channels} feature maps of ${title}, ${shape}. Arrow keys choose a channel${zoomable ? ', Enter enlarges it' : ''}.`}
            aria-describedby={statusId}
            onFocus={(e) => {
              // Tabbing in shows the highlight (on the enlarged tile, if any); a click does not.
              if (e.currentTarget.matches(':focus-visible')) {
                if (selectedTile >= 0) setCursor(selectedTile);
                setKeyboard(true);
              }
            }}
            onBlur={() => setKeyboard(false)}
            onKeyDown={onKeyDown}
            onMouseMove={(e) => {
              const at = tileAt(render, e);
              const box = figure.current!.getBoundingClientRect();
              const x = e.clientX - box.left;
              setHover(
                at === null
                  ? null
                  : {
                      channel: order[at]!,
                      x,
                      y: e.clientY - box.top,
                      flip: x > box.width / 2,
                      width: box.width,
                    },
              );
            }}
            onMouseLeave={() => setHover(null)}
            onClick={(e) => {
              const at = tileAt(render, e);
              if (at === null) return;
              setCursor(at);
              if (zoomable) zoomTile({ stage: render.stage, channel: order[at]! });
            }}
          />
          {selectedTile >= 0 && (
            <div className="atlas__mark atlas__mark--selected" style={tileBox(render, selectedTile)} />
          )}
          {keyboard && (
            <div className="atlas__mark atlas__mark--cursor" ref={cursorBox} style={tileBox(render, tile)} />
          )}
        </div>
      </div>
      {hover && (
        <div
          className="tile-tip"
          style={
            hover.flip
              ? { right: hover.width - hover.x + 12, top: hover.y + 12 }
              : { left: hover.x + 12, top: hover.y + 12 }
          }
          role="tooltip"
        >
          <strong>channel {hover.channel}</strong>
          <span>{stats(hover.channel)}</span>
        </div>
      )}
      {/* Seen and heard while the keyboard moves over the tiles; empty (and flat) otherwise. */}
      <p className="stage__cursor small" id={statusId} aria-live="polite" data-testid="atlas-cursor">
        {keyboard
          ? `Channel ${channel} (tile ${tile + 1} of ${count}${selectedTile === tile ? ', enlarged' : ''}): ${stats(channel)}`
          : ''}
      </p>
    </figure>
  );
}
