/** A node's layers as the model has them, each with its path in the block, output shape, parameters and MACs. */
import type { NetworkLayer, NetworkNode } from '../shared/network';
import { formatCompact, formatShape } from '../shared/format';

const PATH_WORDS: Readonly<Record<NonNullable<NetworkLayer['path']>, string>> = {
  residual: 'branch',
  shortcut: 'skip',
  merge: 'after the add',
};

export function NetworkLayers({ node }: { node: NetworkNode }) {
  return (
    <ol className="arch-layers" data-testid="arch-layers" aria-label={`Layers of ${node.id}`}>
      {node.layers.map((layer) => (
        <li
          key={layer.name}
          className={`arch-layer arch-layer--${layer.path ?? 'main'}`}
          data-layer={layer.name}
          data-layer-kind={layer.kind}
        >
          <span className="arch-layer__what">
            {layer.path ? <span className="arch-layer__path">{PATH_WORDS[layer.path]}</span> : null}
            <strong>{layer.kind}</strong>
            {layer.detail ? ` ${layer.detail}` : ''}
          </span>
          <span className="arch-layer__shape">{formatShape(layer.outputShape)}</span>
          <span className="arch-layer__counts">
            {layer.params > 0 ? `${formatCompact(layer.params)} params` : ''}
            {layer.macs > 0 ? ` · ${formatCompact(layer.macs)} MACs` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
