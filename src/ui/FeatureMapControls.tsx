import { COLORMAPS, isColormap } from '../shared/colormaps';
import { useAppStore } from '../store';
import { useFeatureMapOptions } from '../store/hooks';

export function FeatureMapControls() {
  const options = useFeatureMapOptions();
  const setOptions = useAppStore((s) => s.setFeatureMapOptions);
  return (
    <div className="fm-controls">
      <label className="field">
        <span className="field__label">Normalize</span>
        <select
          data-testid="fm-normalization"
          value={options.normalization}
          onChange={(e) =>
            void setOptions({ normalization: e.target.value === 'stage' ? 'stage' : 'channel' })
          }
        >
          <option value="channel">per channel</option>
          <option value="stage">per stage</option>
        </select>
      </label>
      <label className="field">
        <span className="field__label">Colour map</span>
        <select
          data-testid="fm-colormap"
          value={options.colormap}
          onChange={(e) => {
            if (isColormap(e.target.value)) void setOptions({ colormap: e.target.value });
          }}
        >
          {COLORMAPS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field__label">Channel order</span>
        <select
          data-testid="fm-order"
          value={options.order}
          onChange={(e) => void setOptions({ order: e.target.value === 'mean' ? 'mean' : 'index' })}
        >
          <option value="index">by index</option>
          <option value="mean">by mean activation</option>
        </select>
      </label>
    </div>
  );
}
