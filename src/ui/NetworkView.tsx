/**
 * The Network view: the active model as the worker built it, stage by stage, with each block's skip connection,
 * every node's parameters and MACs, and a block's detail for the image looked inside. Arrow keys move between
 * the nodes, Enter opens one; on a narrow screen the graph runs top to bottom.
 */
import { useEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';

import { stagesOf } from '../shared/network';
import { formatCompact, formatCount } from '../shared/format';
import { FLAVOR_LABELS, VARIANTS } from '../shared/variants';
import { useAppStore } from '../store';
import { useExpandedBlocks, useNetworkView, useSelectedNode } from '../store/hooks';
import { BlockDetailPanel } from './BlockDetailPanel';
import { NetworkNodeCard } from './NetworkNodeCard';
import { WeightPictures } from './WeightPictures';
import './network.css';

const MOVES: Readonly<Record<string, (i: number, last: number) => number>> = {
  ArrowRight: (i) => i + 1,
  ArrowDown: (i) => i + 1,
  ArrowLeft: (i) => i - 1,
  ArrowUp: (i) => i - 1,
  Home: () => 0,
  End: (_, last) => last,
};

export function NetworkView() {
  const { open, network, handle, error, modelHandle } = useNetworkView();
  const expanded = useExpandedBlocks();
  const selected = useSelectedNode();
  const loadNetwork = useAppStore((s) => s.loadNetwork);
  const toggleBlock = useAppStore((s) => s.toggleBlock);
  const selectNode = useAppStore((s) => s.selectNode);
  const closeNetwork = useAppStore((s) => s.closeNetwork);
  const [active, setActive] = useState('stem');
  const graph = useRef<HTMLDivElement>(null);

  // The graph is the active model's: read again whenever another model becomes active.
  useEffect(() => {
    if (open && modelHandle && modelHandle !== handle) void loadNetwork();
  }, [open, modelHandle, handle, loadNetwork]);

  if (!open) return null;
  const current = network && handle === modelHandle ? network : null;
  const ids = current?.nodes.map((n) => n.id) ?? [];

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const from = (e.target as HTMLElement).closest<HTMLElement>('[data-testid="arch-node"]')?.dataset.nodeId;
    const move = MOVES[e.key];
    if (!from || !move) return;
    e.preventDefault(); // the arrows move between nodes, not the page
    const to = ids[Math.min(ids.length - 1, Math.max(0, move(ids.indexOf(from), ids.length - 1)))]!;
    setActive(to);
    graph.current
      ?.querySelector<HTMLElement>(`[data-testid="arch-node"][data-node-id="${CSS.escape(to)}"]`)
      ?.focus();
  };

  const onOpen = (id: string) => {
    setActive(id);
    const node = current?.nodes.find((n) => n.id === id);
    // The stem and the head have no residual branch to measure: opening them shows their layers.
    if (node?.kind === 'block') void selectNode(id);
    else toggleBlock(id);
  };

  return (
    <section
      className="panel arch"
      data-testid="arch-view"
      data-model={current?.variant ?? ''}
      data-total-params={current?.totalParams ?? ''}
      data-total-macs={current?.totalMacs ?? ''}
      aria-label="The network"
    >
      <header className="arch__header">
        <div>
          <h2>
            The network
            {current ? `: ${VARIANTS[current.variant].label}, ${FLAVOR_LABELS[current.flavor]}` : ''}
          </h2>
          {current && (
            <p className="small muted">
              {formatCount(current.totalParams)} parameters · {formatCount(current.totalMacs)}{' '}
              multiply-accumulates ({formatCompact(current.totalMacs)}) per image · read off the model the
              worker built
            </p>
          )}
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label="Close the network view"
          onClick={closeNetwork}
        >
          ×
        </button>
      </header>
      <p className="small muted arch__conventions" data-testid="arch-conventions">
        Parameters count every weight a layer holds, BatchNorm&rsquo;s moving mean and variance included
        (Keras&rsquo; count). MACs are the multiply-accumulates of the convolutions and the dense layer only,
        as thop, fvcore and ptflops count them: a convolution does H_out × W_out × C_out × C_in × k_h × k_w.
        Bars show each node&rsquo;s share of the whole.
      </p>
      {error && (
        <p className="card__error" role="alert">
          {error}
        </p>
      )}
      {!current && !error && <p className="small muted">Reading the model…</p>}
      {current && (
        <div
          className="arch__graph"
          ref={graph}
          role="group"
          aria-label="Stem, blocks and head; arrow keys move between them, Enter opens one"
          onKeyDown={onKeyDown}
        >
          {stagesOf(current).map(({ stage, nodes }, s) => (
            <div className={`arch__stage arch__stage--${nodes[0]!.kind}`} key={stage}>
              <h3 className="arch__stage-name">{stage}</h3>
              <div className="arch__nodes">
                {nodes.map((node, i) => (
                  <div className="arch__step" key={node.id}>
                    {s + i > 0 && (
                      <span
                        className="arch-edge"
                        data-testid="arch-edge"
                        data-kind="main"
                        aria-hidden="true"
                      />
                    )}
                    <NetworkNodeCard
                      node={node}
                      totals={{ params: current.totalParams, macs: current.totalMacs }}
                      expanded={expanded.includes(node.id)}
                      selected={selected === node.id}
                      active={active === node.id || (!ids.includes(active) && node.id === ids[0])}
                      onOpen={onOpen}
                      onToggle={toggleBlock}
                    />
                  </div>
                ))}
              </div>
            </div>
          ))}
        </div>
      )}
      {current && selected && current.nodes.some((n) => n.id === selected && n.kind === 'block') && (
        <BlockDetailPanel nodeId={selected} />
      )}
      {current && <WeightPictures />}
    </section>
  );
}
