/**
 * One explanation drawn the way people read it: the network's input with the attribution map laid over it, on a
 * single canvas, so what is seen, tested and exported as PNG is the same picture.
 */
import { useLayoutEffect, useRef } from 'react';
import type { CanvasHTMLAttributes } from 'react';

type Props = Omit<CanvasHTMLAttributes<HTMLCanvasElement>, 'width' | 'height'> & {
  input: ImageBitmap;
  /** The coloured map at the input's size; null while it is computed (the input alone is drawn). */
  overlay: ImageBitmap | null;
  opacity: number;
  [data: `data-${string}`]: string | number | undefined;
};

export function ExplainMapCanvas({ input, overlay, opacity, ...rest }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  // A layout effect: drawn before anything can read the `data-state` the same render set.
  useLayoutEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || input.width === 0) return; // a closed bitmap has no size
    ctx.globalAlpha = 1;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(input, 0, 0, canvas.width, canvas.height);
    if (overlay && overlay.width > 0) {
      ctx.globalAlpha = opacity;
      ctx.drawImage(overlay, 0, 0, canvas.width, canvas.height);
      ctx.globalAlpha = 1;
    }
  }, [input, overlay, opacity]);
  return <canvas ref={ref} width={input.width || 224} height={input.height || 224} {...rest} />;
}
