import { describe, expect, it } from 'vitest';

import { withOptionsInUrl } from './urlParams';

// Reading a URL's options is the shared link's parser (shared/permalink.ts, tested there).
describe('URL options', () => {
  it('writes the variant and backend back, keeping other parameters; auto needs no parameter', () => {
    expect(withOptionsInUrl('http://x/?k=3&backend=cpu', { variant: 'resnet34', backend: 'wasm' })).toBe(
      'http://x/?k=3&backend=wasm&model=resnet34',
    );
    expect(
      withOptionsInUrl('http://x/?backend=wasm&model=resnet34', { variant: 'resnet50', backend: 'auto' }),
    ).toBe('http://x/?model=resnet50');
  });
});
