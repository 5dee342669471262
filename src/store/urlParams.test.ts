import { describe, expect, it } from 'vitest';

import { parseUrlOptions, withBackendInUrl, withVariantInUrl } from './urlParams';

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
  });
  it('writes the variant back, keeping other parameters', () => {
    expect(withVariantInUrl('http://x/?backend=cpu', 'resnet34')).toBe(
      'http://x/?backend=cpu&model=resnet34',
    );
  });
  it('writes the backend setting back; auto needs no parameter', () => {
    expect(withBackendInUrl('http://x/?model=resnet34', 'wasm')).toBe(
      'http://x/?model=resnet34&backend=wasm',
    );
    expect(withBackendInUrl('http://x/?backend=wasm&model=resnet34', 'auto')).toBe(
      'http://x/?model=resnet34',
    );
  });
});
