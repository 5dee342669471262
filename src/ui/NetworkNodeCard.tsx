/**
 * One node of the Network view (the stem, a residual block or the head): its output shape, parameters and MACs
 * with their shares of the whole, its skip connection as the model has it, and its layers when expanded.
 */
import type { NetworkNode, ShortcutKind } from '../shared/network';
import { formatCompact, formatCount, formatShape, formatShare } from '../shared/format';
import { NetworkLayers } from './NetworkLayers';

const SHORTCUT_WORDS: Readonly<Record<ShortcutKind, string>> = {
  identity: 'skip: identity',
  conv1x1: 'skip: 1x1 conv',
  projection: 'skip: 1x1 conv + BN',
};

interface Props {
  node: NetworkNode;
  totals: { params: number; macs: number };
  expanded: boolean;
  selected: boolean;
  /** The node the keyboard is on: the one button of the graph in the Tab order. */
  active: boolean;
  onOpen: (id: string) => void;
  onToggle: (id: string) => void;
}

function ShareBar({ label, value, total }: { label: string; value: number; total: number }) {
  const share = total > 0 ? value / total : 0;
  return (
    <span className="arch-share">
      <span className="arch-share__label">
        {label} {formatCompact(value)} · {formatShare(share)}
      </span>
      <span className="arch-share__track" aria-hidden="true">
        <span className="arch-share__bar" style={{ width: `${Math.max(share * 100, share > 0 ? 1 : 0)}%` }} />
      </span>
    </span>
  );
}

export function NetworkNodeCard({ node, totals, expanded, selected, active, onOpen, onToggle }: Props) {
  const shape = formatShape(node.outputShape);
  return (
    <div className={`arch-node arch-node--${node.kind}${selected ? ' arch-node--selected' : ''}`}>
      {node.shortcut && (
        <div
          className={`arch-skip arch-skip--${node.shortcut}`}
          data-testid="arch-edge"
          data-kind="shortcut"
          data-block={node.id}
          data-shortcut={node.shortcut}
        >
          {SHORTCUT_WORDS[node.shortcut]}
        </div>
      )}
      <button
        type="button"
        className="arch-node__main"
        data-testid="arch-node"
        data-node-id={node.id}
        data-kind={node.kind}
        data-params={node.params}
        data-macs={node.macs}
        data-output-shape={shape}
        aria-pressed={selected}
        tabIndex={active ? 0 : -1}
        title={`${formatCount(node.params)} parameters, ${formatCount(node.macs)} MACs`}
        onClick={() => onOpen(node.id)}
      >
        <span className="arch-node__id">
          {node.id}
          {node.stride === 2 ? ' · stride 2' : ''}
        </span>
        <span className="arch-node__shape">{shape}</span>
        <ShareBar label="params" value={node.params} total={totals.params} />
        <ShareBar label="MACs" value={node.macs} total={totals.macs} />
      </button>
      <button
        type="button"
        className="arch-node__expand"
        data-testid="arch-expand"
        aria-expanded={expanded}
        tabIndex={active ? 0 : -1}
        onClick={() => onToggle(node.id)}
      >
        {expanded ? `Hide the layers of ${node.id}` : `Layers of ${node.id} (${node.layers.length})`}
      </button>
      {expanded && <NetworkLayers node={node} />}
    </div>
  );
}
