/**
 * Inputs the fuzzer (imageFormat.fuzz.test.ts) found that made the image sniffers hang, replayed so that the
 * fix stays in place.
 */
import { describe, expect, it } from 'vitest';

import { looksLikeSvg, sniffImage } from './imageFormat';

const text = (s: string) => new TextEncoder().encode(s);

describe('image sniffer regressions found by fuzzing', () => {
  it('a prolog of many comments not followed by <svg> is answered at once (was exponential backtracking)', () => {
    // 24 of these took 237 ms, and each one more doubled it; 500 never finished.
    for (const head of ['<!-- a -->'.repeat(500), '<!---->'.repeat(500) + 'x', '<?xml?>'.repeat(500)]) {
      const start = performance.now();
      expect(looksLikeSvg(text(head))).toBe(false);
      expect(sniffImage(text(head))).toBeNull();
      expect(performance.now() - start).toBeLessThan(100);
    }
  });

  it('still finds <svg> behind many comments, and ends a comment or declaration where XML does', () => {
    expect(looksLikeSvg(text('<!-- a -->\n'.repeat(300) + '<svg>'))).toBe(true);
    expect(looksLikeSvg(text('<?xml version="1.0"?><!-- - -- ---><!DOCTYPE svg><svg/>'))).toBe(true);
    expect(looksLikeSvg(text('<!-- a --> not svg --> <svg>'))).toBe(false);
    expect(looksLikeSvg(text('<?xml ?> not svg ?> <svg>'))).toBe(false);
  });
});
