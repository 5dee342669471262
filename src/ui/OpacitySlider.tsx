/** The heat-map opacity slider: one value in the store, shown wherever a map lies over the input. */
import type { ReactNode } from 'react';

import { useAppStore } from '../store';
import { useCamOpacity } from '../store/hooks';

interface Props {
  className: string;
  testId: string;
  children: ReactNode;
}

export function OpacitySlider({ className, testId, children }: Props) {
  const opacity = useCamOpacity();
  const setOpacity = useAppStore((s) => s.setCamOpacity);
  return (
    <label className={className}>
      {children}
      <input
        data-testid={testId}
        type="range"
        min={0}
        max={1}
        step={0.05}
        value={opacity}
        onChange={(e) => setOpacity(Number(e.target.value))}
      />
    </label>
  );
}
