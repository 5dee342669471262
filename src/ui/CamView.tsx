/** The class activation map over the network's input, for any of the top-k classes, with an opacity slider. */
import type { Prediction } from '../shared/predictions';
import { useAppStore } from '../store';
import { useCam, useCamOpacity } from '../store/hooks';
import { BitmapCanvas } from './BitmapCanvas';
import { OpacitySlider } from './OpacitySlider';
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
      <OpacitySlider className="cam__opacity small" testId="cam-opacity">
        <span>Heat map{camLabel ? ` for “${camLabel}”` : ''}</span>
      </OpacitySlider>
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
              <span>
                {/* The chosen class is marked by a sign, not only by its colour. */}
                <span className="cam__check" aria-hidden="true">
                  {p.classIndex === cam?.classIndex ? '✓' : ''}
                </span>
                {p.label}
              </span>
              <span className="muted">{formatPercent(p.probability)}</span>
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
