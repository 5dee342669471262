/** The remembered theme: what is read back, what is forgotten, and that a refusing storage breaks nothing. */
import { describe, expect, it } from 'vitest';

import { THEME_KEY } from '../shared/storageNames';
import { readThemeChoice, systemTheme, writeThemeChoice } from './themePreference';

function memoryStore() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    map,
  };
}

describe('themePreference', () => {
  it('remembers a choice and forgets it', () => {
    const store = memoryStore();
    expect(readThemeChoice(store)).toBeNull();
    writeThemeChoice('dark', store);
    expect(readThemeChoice(store)).toBe('dark');
    writeThemeChoice('light', store);
    expect(readThemeChoice(store)).toBe('light');
    writeThemeChoice(null, store);
    expect(readThemeChoice(store)).toBeNull();
    expect(store.map.size).toBe(0);
  });

  it('ignores a stored value it did not write', () => {
    const store = memoryStore();
    for (const junk of ['', 'Dark', 'sepia', '{"theme":"dark"}']) {
      store.map.set(THEME_KEY, junk);
      expect(readThemeChoice(store)).toBeNull();
    }
  });

  it("finds the choice an earlier version stored under 'resnet-lens.theme', under today's key", () => {
    const store = memoryStore();
    store.map.set('resnet-lens.theme', 'dark');
    expect(readThemeChoice(store)).toBe('dark');
    expect([...store.map]).toEqual([[THEME_KEY, 'dark']]);
  });

  it('survives a storage that throws, and no storage at all', () => {
    const refusing = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    };
    expect(readThemeChoice(refusing)).toBeNull();
    expect(() => writeThemeChoice('dark', refusing)).not.toThrow();
    expect(readThemeChoice(null)).toBeNull();
    expect(() => writeThemeChoice('dark', null)).not.toThrow();
  });

  it('falls back to light where the system cannot be asked', () => {
    expect(systemTheme()).toBe('light');
  });
});
