import { describe, expect, it } from 'vitest';

import * as names from './storageNames';

const { STORAGE_PREFIX, FORMER_LOCAL_STORAGE_KEYS, FORMER_MODELS_DB, FORMER_WEIGHTS_CACHE } = names;
const current = [names.THEME_KEY, names.RENDERER_KEY, names.WEIGHTS_CACHE, names.MODELS_DB];

describe('storage names', () => {
  it('are all under the one prefix, and distinct', () => {
    for (const name of current) expect(name.startsWith(STORAGE_PREFIX), name).toBe(true);
    expect(new Set(current).size).toBe(current.length);
  });

  it('move every former name to a current one, and no former name is a current one', () => {
    const formers = [
      ...FORMER_LOCAL_STORAGE_KEYS.map(([former]) => former),
      FORMER_WEIGHTS_CACHE,
      FORMER_MODELS_DB,
    ];
    for (const former of formers) expect(current).not.toContain(former);
    for (const [, to] of FORMER_LOCAL_STORAGE_KEYS) expect(current).toContain(to);
    expect(new Set(formers).size).toBe(formers.length);
  });
});
