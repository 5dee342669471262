import { describe, expect, it } from 'vitest';

import { parseUrlOptions, withVariantInUrl } from './urlParams';

describe('URL options', () => {
  it('defaults to WebGL and ResNet18', () => {
    expect(parseUrlOptions('')).toEqual({ backend: 'webgl', variant: 'resnet18' });
  });
  it('reads backend and model', () => {
    expect(parseUrlOptions('?backend=wasm&model=resnet34')).toEqual({ backend: 'wasm', variant: 'resnet34' });
    expect(parseUrlOptions('?backend=cpu')).toEqual({ backend: 'cpu', variant: 'resnet18' });
  });
  it('ignores unknown values', () => {
    expect(parseUrlOptions('?backend=cuda&model=vgg16')).toEqual({ backend: 'webgl', variant: 'resnet18' });
  });
  it('writes the variant back, keeping other parameters', () => {
    expect(withVariantInUrl('http://x/?backend=cpu', 'resnet34')).toBe(
      'http://x/?backend=cpu&model=resnet34',
    );
  });
});
