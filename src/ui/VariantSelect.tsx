import { VARIANT_IDS, VARIANTS, isVariantId } from '../model/variants';
import { useAppStore } from '../store';
import { useModelState } from '../store/hooks';

export function VariantSelect() {
  const { variant, status } = useModelState();
  const switchVariant = useAppStore((s) => s.switchVariant);
  return (
    <label className="field">
      <span className="field__label">Model</span>
      <select
        data-testid="variant-select"
        value={variant}
        disabled={status === 'loading'}
        onChange={(e) => {
          if (isVariantId(e.target.value)) void switchVariant(e.target.value);
        }}
      >
        {VARIANT_IDS.map((id) => (
          <option key={id} value={id}>
            {VARIANTS[id].label}
          </option>
        ))}
      </select>
    </label>
  );
}
