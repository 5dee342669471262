/** Grad-CAM at the selected block, on demand, laid over the input the network saw (explanations per block). */
import { useAppStore } from '../store';
import { useCamOpacity } from '../store/hooks';
import { BitmapCanvas } from './BitmapCanvas';

export function BlockGradCam({ nodeId }: { nodeId: string }) {
  const cam = useAppStore((s) => s.blockCam);
  const status = useAppStore((s) => s.blockCamStatus);
  const input = useAppStore((s) => s.inspection?.input ?? null);
  const label = useAppStore(
    (s) => s.inspection?.predictions.find((p) => p.classIndex === cam?.classIndex)?.label,
  );
  const showBlockCam = useAppStore((s) => s.showBlockCam);
  const opacity = useCamOpacity();
  if (!cam || !input) {
    return (
      <p className="small">
        <button
          type="button"
          className="button"
          data-testid="arch-gradcam-button"
          disabled={status === 'running'}
          onClick={() => void showBlockCam()}
        >
          {status === 'running' ? 'Computing Grad-CAM…' : `Grad-CAM at ${nodeId}`}
        </button>
        {status === 'error' ? ' Grad-CAM failed at this block.' : ''}
      </p>
    );
  }
  return (
    <figure className="arch-gradcam">
      <div className="cam__stack">
        <BitmapCanvas bitmap={input} aria-hidden="true" />
        <BitmapCanvas
          bitmap={cam.bitmap}
          data-testid="arch-gradcam"
          data-class-index={cam.classIndex}
          style={{ opacity }}
          role="img"
          aria-label={`Grad-CAM at ${nodeId} for ${label ?? `class ${cam.classIndex}`}`}
        />
      </div>
      <figcaption className="small muted">
        Grad-CAM at {nodeId} for &ldquo;{label ?? `class ${cam.classIndex}`}&rdquo;: the block&rsquo;s output
        weighted by the spatial mean of the class score&rsquo;s gradient.
      </figcaption>
    </figure>
  );
}
