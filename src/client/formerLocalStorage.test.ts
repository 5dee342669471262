/** Moving an earlier version's localStorage keys: values kept, old keys gone, newer values not overwritten. */
import { describe, expect, it } from 'vitest';

import { RENDERER_KEY, THEME_KEY } from '../shared/storageNames';
import { moveFormerLocalStorage, moveFormerLocalStorageKeys } from './formerLocalStorage';

function memoryStore(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries));
  const reads: string[] = [];
  return {
    getItem: (k: string) => {
      reads.push(k);
      return map.get(k) ?? null;
    },
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    map,
    reads,
  };
}

const renderer = JSON.stringify({ userAgent: 'UA', renderer: 'ANGLE (SwiftShader)' });

describe('moveFormerLocalStorageKeys', () => {
  it('moves the theme and the remembered renderer to today’s keys and removes the old ones', () => {
    const store = memoryStore({
      'resnet-lens.theme': 'dark',
      'resnet-explorer:webgl-renderer': renderer,
      unrelated: 'kept',
    });
    moveFormerLocalStorageKeys(store);
    expect(Object.fromEntries(store.map)).toEqual({
      [THEME_KEY]: 'dark',
      [RENDERER_KEY]: renderer,
      unrelated: 'kept',
    });
  });

  it('keeps a value stored under today’s key since (it is newer), and still removes the old key', () => {
    const store = memoryStore({ 'resnet-lens.theme': 'dark', [THEME_KEY]: 'light' });
    moveFormerLocalStorageKeys(store);
    expect(Object.fromEntries(store.map)).toEqual({ [THEME_KEY]: 'light' });
  });

  it('with nothing old, only reads each old key', () => {
    const store = memoryStore({ [THEME_KEY]: 'dark' });
    moveFormerLocalStorageKeys(store);
    expect(store.reads).toEqual(['resnet-lens.theme', 'resnet-explorer:webgl-renderer']);
    expect(Object.fromEntries(store.map)).toEqual({ [THEME_KEY]: 'dark' });
  });

  it('leaves the old key where storage refuses the write, to move it on a later visit', () => {
    const store = memoryStore({ 'resnet-lens.theme': 'dark' });
    const refusing = {
      ...store,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(() => moveFormerLocalStorageKeys(refusing)).not.toThrow();
    expect(Object.fromEntries(store.map)).toEqual({ 'resnet-lens.theme': 'dark' });
  });
});

describe('moveFormerLocalStorage', () => {
  it('moves once a page: later readers pay nothing', () => {
    const store = memoryStore({ 'resnet-lens.theme': 'dark' });
    moveFormerLocalStorage(store);
    expect(store.map.get(THEME_KEY)).toBe('dark');
    const reads = store.reads.length;
    moveFormerLocalStorage(store);
    expect(store.reads).toHaveLength(reads);
  });

  it('does nothing without a storage', () => {
    expect(() => moveFormerLocalStorage(null)).not.toThrow();
  });
});
