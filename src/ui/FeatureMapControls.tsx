/** How the feature maps are drawn: normalization, colour map and channel order. */
import { COLORBLIND_SAFE, COLORMAPS } from '../shared/colormaps';
import type { ChannelOrder, Normalization } from '../shared/protocol';
import { useAppStore } from '../store';
import { useFeatureMapOptions } from '../store/hooks';
import { SelectField } from './SelectField';
import type { SelectOption } from './SelectField';

const NORMALIZATIONS: readonly SelectOption<Normalization>[] = [
  { value: 'channel', label: 'per channel' },
  { value: 'stage', label: 'per stage' },
];

const ORDERS: readonly SelectOption<ChannelOrder>[] = [
  { value: 'index', label: 'by index' },
  { value: 'mean', label: 'by mean activation' },
];

const COLORMAP_OPTIONS = COLORMAPS.map((c) => ({
  value: c,
  label: COLORBLIND_SAFE.has(c) ? `${c} (colour-blind safe)` : c,
}));

export function FeatureMapControls() {
  const options = useFeatureMapOptions();
  const setOptions = useAppStore((s) => s.setFeatureMapOptions);
  return (
    <div className="fm-controls">
      <SelectField
        label="Normalize"
        testId="fm-normalization"
        value={options.normalization}
        options={NORMALIZATIONS}
        onChange={(normalization) => void setOptions({ normalization })}
      />
      <SelectField
        label="Colour map"
        testId="fm-colormap"
        value={options.colormap}
        options={COLORMAP_OPTIONS}
        onChange={(colormap) => void setOptions({ colormap })}
      />
      <SelectField
        label="Channel order"
        testId="fm-order"
        value={options.order}
        options={ORDERS}
        onChange={(order) => void setOptions({ order })}
      />
    </div>
  );
}
