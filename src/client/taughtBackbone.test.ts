import { describe, expect, it } from 'vitest';

import { RESNET50_SOURCE } from '../shared/resnet50Package';
import { backboneRoute, isBackbone, taughtBackbone } from './taughtBackbone';
import type { CachedWeights } from './weightsCache';

const bundled = taughtBackbone('resnet50', { origin: 'bundled', name: 'Keras ImageNet ResNet50' });
const fromFile = taughtBackbone('resnet18', { origin: 'file', name: 'resnet18.safetensors' });
const seeded = taughtBackbone('resnet34', { origin: 'random', name: 'ResNet34, random init (seed 42)' });
const cachedEntry: CachedWeights = {
  id: 'w-1',
  name: 'resnet18.safetensors',
  source: 'file',
  bytes: 1,
  cachedAt: '',
  fileNames: ['resnet18.safetensors'],
  variant: 'resnet18',
};
const have = {
  variant: 'resnet18' as const,
  weights: { origin: 'random' as const, name: 'ResNet18, random init (seed 42)' },
  resnet50Installed: true,
  cached: [] as CachedWeights[],
};

describe('a taught model’s backbone', () => {
  it('records the bundled weights with their package’s integrity, others with none', () => {
    expect(bundled.checksum).toBe(RESNET50_SOURCE.integrity);
    expect(fromFile.checksum).toBeNull();
  });

  it('is the active model when the variant and weights match, whichever way weights files came', () => {
    expect(isBackbone(fromFile, 'resnet18', { origin: 'cache', name: 'resnet18.safetensors' })).toBe(true);
    expect(isBackbone(fromFile, 'resnet34', { origin: 'cache', name: 'resnet18.safetensors' })).toBe(false);
    expect(isBackbone(fromFile, 'resnet18', { origin: 'file', name: 'other.safetensors' })).toBe(false);
    expect(
      backboneRoute(bundled, {
        ...have,
        variant: 'resnet50',
        weights: { origin: 'bundled', name: bundled.weightsName },
      }),
    ).toEqual({
      kind: 'active',
    });
  });

  it('loads the bundled ResNet50 when installed, and otherwise says how to install it', () => {
    expect(backboneRoute(bundled, have)).toEqual({ kind: 'variant', variant: 'resnet50' });
    const missing = backboneRoute(bundled, { ...have, resnet50Installed: false });
    expect(missing).toMatchObject({ kind: 'missing' });
    expect(missing.kind === 'missing' && missing.message).toContain('ResNet50 with its ImageNet weights');
    const otherVersion = backboneRoute({ ...bundled, checksum: 'sha512-other' }, have);
    expect(otherVersion.kind === 'missing' && otherVersion.message).toContain('another version');
  });

  it('builds seeded weights, finds cached weights by name, and names the weights to load when none are here', () => {
    expect(backboneRoute(seeded, have)).toEqual({ kind: 'variant', variant: 'resnet34' });
    expect(backboneRoute(fromFile, { ...have, cached: [cachedEntry] })).toEqual({
      kind: 'cached',
      id: 'w-1',
    });
    const missing = backboneRoute(fromFile, have);
    expect(missing.kind === 'missing' && missing.message).toBe(
      'This model was taught on ResNet18 with the weights from resnet18.safetensors, which this browser does not have: load the weights from resnet18.safetensors first (Weights), then import this file again.',
    );
  });
});
