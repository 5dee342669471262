/**
 * Augmentation for small labeled sets (issue #26): a few fixed views of each image (mirrored, and cropped to 80%
 * and scaled back), made from the model-input crop the engine already has, so each costs one more pass of the
 * backbone in the features phase and nothing afterwards. Fixed views, not random ones: the same folder gives
 * the same features, and so the same head.
 */

/** One view: a square region of the crop (fractions of its side), scaled back to the full side, maybe mirrored. */
export interface AugmentView {
  mirror: boolean;
  left: number;
  top: number;
  size: number;
}

/** The views added per image, beside the image itself: four, so a set is read five times. */
export const AUGMENT_VIEWS: readonly AugmentView[] = [
  { mirror: true, left: 0, top: 0, size: 1 },
  { mirror: false, left: 0, top: 0, size: 0.8 },
  { mirror: false, left: 0.2, top: 0.2, size: 0.8 },
  { mirror: true, left: 0.1, top: 0.1, size: 0.8 },
];

/**
 * The view of an RGBA square `side` x `side`: its region sampled bilinearly at the centres of the output's pixels
 * (as TF.js' resizeBilinear with half-pixel centres), mirrored left to right when the view says so.
 */
export function augmentedView(
  rgba: Uint8ClampedArray,
  side: number,
  view: AugmentView,
): Uint8ClampedArray<ArrayBuffer> {
  if (rgba.length !== side * side * 4)
    throw new RangeError(`${rgba.length} bytes for a ${side}x${side} RGBA image`);
  const out = new Uint8ClampedArray(rgba.length);
  const scale = view.size;
  const x0 = view.left * side;
  const y0 = view.top * side;
  const clamp = (v: number) => Math.min(side - 1, Math.max(0, v));
  for (let y = 0; y < side; y++) {
    const sy = clamp(y0 + (y + 0.5) * scale - 0.5);
    const ya = Math.floor(sy);
    const yb = Math.min(side - 1, ya + 1);
    const fy = sy - ya;
    for (let x = 0; x < side; x++) {
      const sx = clamp(x0 + (x + 0.5) * scale - 0.5);
      const xa = Math.floor(sx);
      const xb = Math.min(side - 1, xa + 1);
      const fx = sx - xa;
      const to = (y * side + (view.mirror ? side - 1 - x : x)) * 4;
      for (let c = 0; c < 4; c++) {
        const at = (yy: number, xx: number) => rgba[(yy * side + xx) * 4 + c]!;
        const top = at(ya, xa) * (1 - fx) + at(ya, xb) * fx;
        const bottom = at(yb, xa) * (1 - fx) + at(yb, xb) * fx;
        out[to + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}
