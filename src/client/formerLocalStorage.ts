/**
 * Moves the page's localStorage keys of earlier versions (src/shared/storageNames.ts) to today's names, before
 * anything reads them: the theme and the WebGL renderer the last visit saw are kept across the rename.
 */
import { FORMER_LOCAL_STORAGE_KEYS } from '../shared/storageNames';

type KeyStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** localStorage, or null where there is none or it refuses access (a sandboxed frame, blocked storage). */
function localStore(): KeyStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * Copies each former key's value to its current key, unless that is set already (a value stored since is
 * newer), and removes the former key. With nothing to move it costs one read a key.
 */
export function moveFormerLocalStorageKeys(store: KeyStore): void {
  for (const [former, current] of FORMER_LOCAL_STORAGE_KEYS) {
    try {
      const value = store.getItem(former);
      if (value === null) continue;
      if (store.getItem(current) === null) store.setItem(current, value);
      store.removeItem(former);
    } catch {
      // A storage that refuses (private modes, a full quota) keeps the old key: moved on a later visit.
    }
  }
}

const moved = new WeakSet<KeyStore>();

/** moveFormerLocalStorageKeys on this page's localStorage, once a page; called by each reader of those keys. */
export function moveFormerLocalStorage(store: KeyStore | null = localStore()): void {
  if (!store || moved.has(store)) return;
  moved.add(store);
  moveFormerLocalStorageKeys(store);
}
