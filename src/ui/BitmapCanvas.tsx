/** A canvas that shows an ImageBitmap made in the worker. */
import { useEffect, useRef } from 'react';
import type { CanvasHTMLAttributes } from 'react';

type Props = Omit<CanvasHTMLAttributes<HTMLCanvasElement>, 'width' | 'height'> & {
  bitmap: ImageBitmap;
  /** data-* attributes pass through for tests and tools. */
  [data: `data-${string}`]: string | number | undefined;
};

/** A canvas showing a bitmap drawn by the inference engine, at the bitmap's own resolution. */
export function BitmapCanvas({ bitmap, ...rest }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || bitmap.width === 0) return; // a closed bitmap has no size
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0);
  }, [bitmap]);
  return <canvas ref={ref} width={bitmap.width} height={bitmap.height} {...rest} />;
}
