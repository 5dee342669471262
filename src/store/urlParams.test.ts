import { describe, expect, it } from 'vitest';

import { parseUrlOptions, withOptionsInUrl } from './urlParams';

describe('URL options', () => {
  it('defaults to the automatic backend choice and leaves the variant to the app', () => {
    expect(parseUrlOptions('')).toEqual({ backend: 'auto', variant: null });
  });
  it('reads backend and model', () => {
    expect(parseUrlOptions('?backend=wasm&model=resnet34')).toEqual({ backend: 'wasm', variant: 'resnet34' });
    expect(parseUrlOptions('?backend=cpu')).toEqual({ backend: 'cpu', variant: null });
    expect(parseUrlOptions('?backend=webgpu')).toEqual({ backend: 'webgpu', variant: null });
    expect(parseUrlOptions('?backend=webgl')).toEqual({ backend: 'webgl', variant: null });
    expect(parseUrlOptions('?model=resnet50')).toEqual({ backend: 'auto', variant: 'resnet50' });
  });
  it('ignores unknown values', () => {
    expect(parseUrlOptions('?backend=cuda&model=vgg16')).toEqual({ backend: 'auto', variant: null });
    // Names every object has are not variants or backends.
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(parseUrlOptions(`?backend=${name}&model=${name}`)).toEqual({ backend: 'auto', variant: null });
    }
  });
  it('writes the variant and backend back, keeping other parameters; auto needs no parameter', () => {
    expect(withOptionsInUrl('http://x/?k=3&backend=cpu', { variant: 'resnet34', backend: 'wasm' })).toBe(
      'http://x/?k=3&backend=wasm&model=resnet34',
    );
    expect(
      withOptionsInUrl('http://x/?backend=wasm&model=resnet34', { variant: 'resnet50', backend: 'auto' }),
    ).toBe('http://x/?model=resnet50');
  });
});
