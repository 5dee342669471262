/**
 * The model choice: ResNet18, ResNet34, or the ImageNet-trained ResNet50 when installed, and the taught models
 * (`custom:<name>`: the active one and those kept in this browser), which open over their backbone.
 */
import { RESNET50_FETCH_HINT } from '../shared/resnet50Package';
import { taughtModelId } from '../shared/teach/teachJob';
import { VARIANT_IDS, VARIANTS, isVariantId } from '../shared/variants';
import type { VariantId } from '../shared/variants';
import { useAppStore } from '../store';
import { useModelState } from '../store/hooks';
import { SelectField } from './SelectField';

function optionLabel(id: VariantId, resnet50Installed: boolean | null): string {
  if (id !== 'resnet50') return VARIANTS[id].label;
  if (resnet50Installed === false) return 'ResNet50 (not installed)';
  return 'ResNet50 (ImageNet-trained)';
}

export function VariantSelect() {
  const { variant, status } = useModelState();
  const switchVariant = useAppStore((s) => s.switchVariant);
  const resnet50Installed = useAppStore((s) => s.resnet50Installed);
  const taught = useAppStore((s) => s.taught);
  const kept = useAppStore((s) => s.keptModels);
  const openKept = useAppStore((s) => s.openKeptModel);
  const taughtNames = [...new Set([...(taught ? [taught.name] : []), ...kept.map((m) => m.name)])];
  return (
    <>
      <SelectField<string>
        label="Model"
        testId="variant-select"
        value={taught?.id ?? variant}
        disabled={status === 'loading'}
        options={[
          ...VARIANT_IDS.map((id) => ({
            value: id,
            label: optionLabel(id, resnet50Installed),
            disabled: id === 'resnet50' && resnet50Installed === false,
          })),
          ...taughtNames.map((name) => ({ value: taughtModelId(name), label: taughtModelId(name) })),
        ]}
        onChange={(next) => {
          if (isVariantId(next)) void switchVariant(next);
          else void openKept(next.slice(taughtModelId('').length));
        }}
      />
      {resnet50Installed === false && (
        <p className="small muted variant-hint" data-testid="resnet50-hint">
          {RESNET50_FETCH_HINT}
        </p>
      )}
    </>
  );
}
