/**
 * Look inside in compare mode: where each compared model looked in one image (its class activation map for its
 * own top-1), side by side over the same input crop. The active model's map is the inspector's below.
 */
import { useEffect, useRef } from 'react';

import { formatPercent } from '../shared/format';
import type { Prediction } from '../shared/predictions';
import type { CamRender } from '../shared/protocol';
import { useAppStore } from '../store';
import { useActiveModelId, useComparedCams, useComparedIds, useModelLabels } from '../store/compareHooks';
import { useCam, useCamOpacity, useImages, useInspector } from '../store/hooks';
import { BitmapCanvas } from './BitmapCanvas';
import { OpacitySlider } from './OpacitySlider';
import './compare.css';

interface Figure {
  status: 'loading' | 'ready' | 'error';
  cam: CamRender | null;
  predictions: readonly Prediction[];
  message: string | null;
}

export function ComparedCams() {
  const compared = useComparedCams();
  const ids = useComparedIds();
  const activeId = useActiveModelId();
  const labels = useModelLabels();
  const images = useImages();
  const { imageId: inspectedId, inspection, status: inspectStatus, error: inspectError } = useInspector();
  const activeCam = useCam();
  const opacity = useCamOpacity();
  const close = useAppStore((s) => s.closeComparedCams);
  const panel = useRef<HTMLElement>(null);
  const imageId = compared?.imageId ?? null;
  useEffect(() => {
    if (!imageId) return;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    panel.current?.scrollIntoView({ behavior: still ? 'auto' : 'smooth', block: 'nearest' });
  }, [imageId]);
  if (!compared) return null;
  const image = images.find((i) => i.id === compared.imageId);
  // The inspector's input is this image's only while it inspects this image.
  const inspectingThis = inspectedId === compared.imageId;
  const input = inspectingThis ? (inspection?.input ?? null) : null;
  const figureOf = (id: string): Figure => {
    if (id === activeId) {
      if (!inspectingThis)
        return { status: 'error', cam: null, predictions: [], message: 'Look inside was closed.' };
      if (inspectStatus === 'error')
        return { status: 'error', cam: null, predictions: [], message: inspectError };
      const ready = inspectStatus === 'ready' && activeCam !== null;
      return {
        status: ready ? 'ready' : 'loading',
        cam: ready ? activeCam : null,
        predictions: inspection?.predictions ?? [],
        message: null,
      };
    }
    const cam = compared.cams[id];
    if (!cam || cam.status === 'loading')
      return { status: 'loading', cam: null, predictions: [], message: null };
    if (cam.status === 'error') return { status: 'error', cam: null, predictions: [], message: cam.message };
    return { status: 'ready', cam: cam.cam, predictions: cam.predictions, message: null };
  };
  return (
    <section
      ref={panel}
      className="panel compared-cams"
      data-testid="compared-cams"
      data-image-id={compared.imageId}
      aria-label="Where each compared model looked"
    >
      <header className="compared-cams__header">
        <div>
          <h2>Where each model looked</h2>
          <p className="small muted">
            {image?.fileName ?? ''} · each model&apos;s class activation map for its own top-1
          </p>
        </div>
        <button type="button" className="icon-button" aria-label="Close the compared maps" onClick={close}>
          ×
        </button>
      </header>
      <div className="compared-cams__grid">
        {ids.map((id) => {
          const figure = figureOf(id);
          const classIndex = figure.cam?.classIndex ?? null;
          const shown = figure.predictions.find((p) => p.classIndex === classIndex);
          const label = labels.get(id) ?? id;
          return (
            <figure
              key={id}
              className="compared-cams__figure"
              data-testid="compare-cam"
              data-model-id={id}
              data-status={figure.status}
              data-class-index={classIndex ?? ''}
            >
              <div className="cam__stack">
                {input && <BitmapCanvas bitmap={input} aria-hidden="true" />}
                {figure.cam && (
                  <BitmapCanvas
                    bitmap={figure.cam.bitmap}
                    style={{ opacity: input ? opacity : 1 }}
                    role="img"
                    aria-label={`${label}: class activation map for ${shown?.label ?? `class ${classIndex}`}`}
                  />
                )}
                {figure.status === 'loading' && <span className="compared-cams__wait small">Computing…</span>}
              </div>
              <figcaption className="small">
                <strong>{label}</strong>
                {id === activeId && <span className="muted"> · active</span>}
                <br />
                {figure.status === 'error' && <span className="compare-cell__error">{figure.message}</span>}
                {shown && (
                  <span>
                    {shown.label} <span className="muted">{formatPercent(shown.probability)}</span>
                  </span>
                )}
              </figcaption>
            </figure>
          );
        })}
      </div>
      <OpacitySlider className="cam__opacity small" testId="compare-cam-opacity">
        <span>Heat map opacity</span>
      </OpacitySlider>
    </section>
  );
}
