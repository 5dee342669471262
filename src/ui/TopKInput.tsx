/** How many predictions each card shows. */
import { MAX_TOP_K } from '../shared/predictions';
import { useAppStore } from '../store';
import { useTopK } from '../store/hooks';

export function TopKInput() {
  const topK = useTopK();
  const setTopK = useAppStore((s) => s.setTopK);
  return (
    <label className="field">
      <span className="field__label">Top-k</span>
      <input
        data-testid="topk-input"
        type="number"
        min={1}
        max={MAX_TOP_K}
        value={topK}
        onChange={(e) => {
          if (e.target.value !== '') setTopK(Number(e.target.value));
        }}
      />
    </label>
  );
}
