import { describe, expect, it } from 'vitest';

import { parseUrlOptions, withVariantInUrl } from './urlParams';

describe('URL options', () => {
  it('defaults to WebGL and leaves the variant to the app', () => {
    expect(parseUrlOptions('')).toEqual({ backend: 'webgl', variant: null });
  });
  it('reads backend and model', () => {
    expect(parseUrlOptions('?backend=wasm&model=resnet34')).toEqual({ backend: 'wasm', variant: 'resnet34' });
    expect(parseUrlOptions('?backend=cpu')).toEqual({ backend: 'cpu', variant: null });
    expect(parseUrlOptions('?model=resnet50')).toEqual({ backend: 'webgl', variant: 'resnet50' });
  });
  it('ignores unknown values', () => {
    expect(parseUrlOptions('?backend=cuda&model=vgg16')).toEqual({ backend: 'webgl', variant: null });
  });
  it('writes the variant back, keeping other parameters', () => {
    expect(withVariantInUrl('http://x/?backend=cpu', 'resnet34')).toBe(
      'http://x/?backend=cpu&model=resnet34',
    );
  });
});
