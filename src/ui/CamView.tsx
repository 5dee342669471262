/** The class activation map over the network's input, for any of the top-k classes, with an opacity slider. */
import type { Prediction } from '../shared/predictions';
import { useAppStore } from '../store';
import { useCam, useCamOpacity } from '../store/hooks';
import { BitmapCanvas } from './BitmapCanvas';
import { formatPercent } from '../shared/format';

interface Props {
  input: ImageBitmap;
  predictions: Prediction[];
  topK: number;
}

/** The network's input with the class activation map laid over it, and the classes to pick from. */
export function CamView({ input, predictions, topK }: Props) {
  const cam = useCam();
  const opacity = useCamOpacity();
  const setOpacity = useAppStore((s) => s.setCamOpacity);
  const showCam = useAppStore((s) => s.showCam);
  const camLabel = predictions.find((p) => p.classIndex === cam?.classIndex)?.label;
  return (
    <div className="cam">
      <div className="cam__stack">
        <BitmapCanvas
          bitmap={input}
          data-testid="input-crop"
          aria-label="The 224x224 input the network saw"
          role="img"
        />
        {cam && (
          <BitmapCanvas
            bitmap={cam.bitmap}
            className="cam__overlay"
            data-testid="cam-overlay"
            data-class-index={cam.classIndex}
            style={{ opacity }}
            aria-label={`Class activation map for ${camLabel ?? `class ${cam.classIndex}`}`}
            role="img"
          />
        )}
      </div>
      <label className="cam__opacity small">
        <span>Heat map{camLabel ? ` for “${camLabel}”` : ''}</span>
        <input
          data-testid="cam-opacity"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={opacity}
          onChange={(e) => setOpacity(Number(e.target.value))}
        />
      </label>
      <ol className="cam__classes">
        {predictions.slice(0, topK).map((p) => (
          <li key={p.classIndex}>
            <button
              type="button"
              className={`cam__class${p.classIndex === cam?.classIndex ? ' cam__class--active' : ''}`}
              data-testid="cam-class"
              data-class-index={p.classIndex}
              aria-pressed={p.classIndex === cam?.classIndex}
              onClick={() => void showCam(p.classIndex)}
              title={p.synonyms}
            >
              <span>{p.label}</span>
              <span className="muted">{formatPercent(p.probability)}</span>
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
