/** How numbers and shapes are written for people, the same way everywhere. */

const integer = new Intl.NumberFormat('en-US');

export const formatCount = (n: number): string => integer.format(n);

export function formatPercent(p: number): string {
  const pct = p * 100;
  if (pct >= 10) return `${pct.toFixed(1)}%`;
  if (pct >= 0.01) return `${pct.toFixed(2)}%`;
  return `${pct.toExponential(1)}%`;
}

/** A probability as a screen reader should say it: "92.6 percent" rather than "92.6 per cent sign". */
export function spokenPercent(p: number): string {
  return formatPercent(p).replace('%', ' percent');
}

/** A share of a whole (an agreement, an accuracy): 0.6667 is "66.7%", 0 is "0%", with no exponent for small ones. */
export function formatShare(fraction: number): string {
  // Rounding must not turn a little into nothing, or nearly all into all.
  if (fraction > 0 && fraction < 0.0005) return '<0.1%';
  if (fraction < 1 && fraction >= 0.9995) return '>99.9%';
  return `${Number((fraction * 100).toFixed(1))}%`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** An expected duration, to the second: an estimate's precision, not a measurement's. */
export function formatRoughDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** A tensor shape as the page writes it, e.g. 56x56x64. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('x');
}

/** A large count in a few characters: 1.81 G, 118.0 M, 9.7 k, 64. */
export function formatCompact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}
