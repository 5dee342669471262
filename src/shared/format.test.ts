import { describe, expect, it } from 'vitest';

import {
  formatBytes,
  formatCompact,
  formatCount,
  formatMs,
  formatRoughDuration,
  formatPercent,
  formatShare,
  spokenPercent,
} from './format';

describe('format', () => {
  it('formats counts, percentages, times and sizes', () => {
    expect(formatCount(22735912)).toBe('22,735,912');
    expect(formatPercent(0.4567)).toBe('45.7%');
    expect(formatPercent(0.01234)).toBe('1.23%');
    expect(formatPercent(0.0000012)).toBe('1.2e-4%');
    expect(formatMs(95.4)).toBe('95 ms');
    expect(formatMs(1530)).toBe('1.53 s');
    expect(formatBytes(48_214_432)).toBe('46.0 MiB');
    expect(spokenPercent(0.926)).toBe('92.6 percent');
    expect(spokenPercent(0.01234)).toBe('1.23 percent');
  });
});

describe('formatShare', () => {
  it('writes a share with one decimal at most, never an exponent', () => {
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(2 / 3)).toBe('66.7%');
    expect(formatShare(1)).toBe('100%');
    expect(formatShare(0.0004)).toBe('<0.1%');
    expect(formatShare(0.0005)).toBe('0.1%');
    expect(formatShare(0.9996)).toBe('>99.9%');
    expect(formatShare(0.9994)).toBe('99.9%');
  });
});

describe('formatCompact', () => {
  it('writes counts in a few characters', () => {
    expect(formatCompact(1_814_073_344)).toBe('1.81 G');
    expect(formatCompact(118_013_952)).toBe('118.0 M');
    expect(formatCompact(9_728)).toBe('9.7 k');
    expect(formatCompact(64)).toBe('64');
    expect(formatCompact(0)).toBe('0');
  });
});

describe('formatRoughDuration', () => {
  it('rounds to the second, at least one, with minutes past a minute', () => {
    expect(formatRoughDuration(120)).toBe('1 s');
    expect(formatRoughDuration(24_400)).toBe('24 s');
    expect(formatRoughDuration(95_000)).toBe('1 min 35 s');
  });
});
