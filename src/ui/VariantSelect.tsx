import { RESNET50_FETCH_HINT } from '../shared/resnet50Package';
import { VARIANT_IDS, VARIANTS, isVariantId } from '../shared/variants';
import type { VariantId } from '../shared/variants';
import { useAppStore } from '../store';
import { useModelState } from '../store/hooks';

function optionLabel(id: VariantId, resnet50Installed: boolean | null): string {
  if (id !== 'resnet50') return VARIANTS[id].label;
  if (resnet50Installed === false) return 'ResNet50 (not installed)';
  return 'ResNet50 (ImageNet-trained)';
}

export function VariantSelect() {
  const { variant, status } = useModelState();
  const switchVariant = useAppStore((s) => s.switchVariant);
  const resnet50Installed = useAppStore((s) => s.resnet50Installed);
  return (
    <>
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
            <option key={id} value={id} disabled={id === 'resnet50' && resnet50Installed === false}>
              {optionLabel(id, resnet50Installed)}
            </option>
          ))}
        </select>
      </label>
      {resnet50Installed === false && (
        <p className="small muted variant-hint" data-testid="resnet50-hint">
          {RESNET50_FETCH_HINT}
        </p>
      )}
    </>
  );
}
