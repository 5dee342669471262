/**
 * Look inside: the network's input, every stage's channels as tile atlases, the class activation map, and the
 * explanations of the prediction.
 */
import { useEffect, useRef } from 'react';

import { useAppStore } from '../store';
import { useImages, useInspector, useTopK, useZoomedTile } from '../store/hooks';
import { CamView } from './CamView';
import { ExplainPanel } from './ExplainPanel';
import { FeatureMapControls } from './FeatureMapControls';
import { FeatureVisPanel } from './FeatureVisPanel';
import { StageAtlas } from './StageAtlas';
import { TileZoom } from './TileZoom';
import { formatMs } from '../shared/format';
import type { FeatureVisTarget } from '../shared/protocol';

export function FeatureMapsPanel() {
  const { imageId, inspection, status, error } = useInspector();
  const images = useImages();
  const topK = useTopK();
  const zoomed = useZoomedTile();
  const close = useAppStore((s) => s.closeInspector);
  const visualize = useAppStore((s) => s.openFeatVis);
  const panel = useRef<HTMLElement>(null);
  // Opening the panel for another image brings it into view (it sits below the result cards).
  useEffect(() => {
    if (!imageId) return;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    panel.current?.scrollIntoView({ behavior: still ? 'auto' : 'smooth', block: 'nearest' });
  }, [imageId]);
  if (!imageId) return null;
  const image = images.find((i) => i.id === imageId);
  const zoomRender = zoomed && inspection?.stages.find((s) => s.stage === zoomed.stage);
  // The classifier head has no channels to visualize, only classes.
  const zoomTarget: FeatureVisTarget | null =
    zoomed && zoomed.stage !== 'fc'
      ? { kind: 'channel', stage: zoomed.stage, channel: zoomed.channel }
      : null;
  return (
    <section
      className="panel inspector"
      data-testid="feature-maps"
      data-status={status}
      data-decoded={inspection ? String(inspection.decoded) : ''}
      aria-label="Inside the network"
    >
      <header className="inspector__header">
        <div>
          <h2>Inside the network</h2>
          <p className="small muted">
            {image?.fileName ?? ''}
            {inspection
              ? ` · one forward pass${inspection.decoded ? '' : ' on the kept crop'}, drawn in ${formatMs(inspection.inspectMs)}`
              : ''}
            {status === 'loading' ? ' · computing…' : ''}
          </p>
        </div>
        <FeatureMapControls />
        <button type="button" className="icon-button" aria-label="Close the feature maps" onClick={close}>
          ×
        </button>
      </header>
      {status === 'error' && (
        <p className="card__error" role="alert" data-testid="error">
          {error}
        </p>
      )}
      {inspection && (
        <div className={`inspector__body${status === 'loading' ? ' inspector__body--stale' : ''}`}>
          <div className="inspector__side">
            <CamView input={inspection.input} predictions={inspection.predictions} topK={topK} />
            {zoomRender && zoomed ? (
              <div className="inspector__zoomed">
                <TileZoom render={zoomRender} channel={zoomed.channel} size={224} />
                {zoomTarget && (
                  <button
                    type="button"
                    className="button"
                    data-testid="featvis-channel"
                    onClick={() => visualize(zoomTarget)}
                  >
                    What excites this channel?
                  </button>
                )}
              </div>
            ) : (
              <p className="small muted">
                Hover a tile for its statistics; click or tap it to enlarge it here. From the keyboard: Tab to
                a stage, arrow keys, Enter.
              </p>
            )}
          </div>
          <div className="inspector__stages">
            {inspection.stages.map((s) => (
              <StageAtlas
                key={s.stage}
                render={s}
                selectedChannel={zoomed?.stage === s.stage ? zoomed.channel : null}
              />
            ))}
          </div>
        </div>
      )}
      {inspection && status !== 'error' && <ExplainPanel input={inspection.input} />}
      {inspection && status !== 'error' && <FeatureVisPanel />}
    </section>
  );
}
