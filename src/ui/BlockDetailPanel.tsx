/**
 * What one block does to the image looked inside: the RMS of its residual branch, of its shortcut and of its
 * output (true values: BatchNorm not folded), its output as a tile atlas, every block's ratio as a chart, and
 * feature visualization of one of its channels.
 */
import { formatMs } from '../shared/format';
import { useAppStore } from '../store';
import { useBlockDetail } from '../store/hooks';
import { BlockFeatVis } from './BlockFeatVis';
import { BlockGradCam } from './BlockGradCam';
import { BlockRatioChart } from './BlockRatioChart';
import { StageAtlas } from './StageAtlas';

const fmt = (v: number) => v.toPrecision(4);

export function BlockDetailPanel({ nodeId }: { nodeId: string }) {
  const { detail, status, error, inspected } = useBlockDetail();
  const selectNode = useAppStore((s) => s.selectNode);
  const imageId = useAppStore((s) => s.inspectedImageId);
  const shown = detail?.nodeId === nodeId ? detail : null;

  if (!inspected) {
    return (
      <p className="small muted arch-detail__hint">
        Block {nodeId}: open an image&rsquo;s Look inside (the button on a result card) to see what this block
        does to it.
      </p>
    );
  }
  const c = shown?.contribution;
  return (
    <section
      className="arch-detail"
      data-testid="arch-detail"
      data-node-id={nodeId}
      data-state={status === 'error' ? 'error' : shown && status === 'done' ? 'done' : 'running'}
      data-residual-rms={c?.residualRms ?? ''}
      data-shortcut-rms={c?.shortcutRms ?? ''}
      data-output-rms={c?.outputRms ?? ''}
      data-detail-ms={shown?.detailMs ?? ''}
      aria-label={`What block ${nodeId} does to the image`}
      aria-busy={status === 'running'}
    >
      <h3>Block {nodeId}</h3>
      {status === 'error' && (
        <p className="card__error" role="alert">
          {error}{' '}
          <button type="button" className="button" onClick={() => void selectNode(nodeId)}>
            Try again
          </button>
        </p>
      )}
      {c && shown && (
        <>
          <dl className="arch-detail__values">
            <div>
              <dt>residual branch RMS</dt>
              <dd>{fmt(c.residualRms)}</dd>
            </div>
            <div>
              <dt>shortcut RMS</dt>
              <dd>{fmt(c.shortcutRms)}</dd>
            </div>
            <div>
              <dt>output RMS</dt>
              <dd>{fmt(c.outputRms)}</dd>
            </div>
            <div>
              <dt>branch / shortcut</dt>
              <dd>{fmt(c.residualRms / c.shortcutRms)}</dd>
            </div>
          </dl>
          <p className="small muted">
            The branch is its last BatchNorm&rsquo;s output and the shortcut the block&rsquo;s input (or its
            1x1 conv&rsquo;s output), both before the add; the output is after the add and the ReLU. From the
            kept activations in {formatMs(shown.detailMs)}.
          </p>
          <BlockRatioChart selected={nodeId} />
          <BlockGradCam nodeId={nodeId} />
          <BlockFeatVis key={`${imageId}|${nodeId}`} nodeId={nodeId} render={shown.map} />
          <StageAtlas render={shown.map} selectedChannel={null} title={nodeId} zoomable={false} />
        </>
      )}
    </section>
  );
}
