import { describe, expect, it } from 'vitest';

import { IMAGENET_LABELS, IMAGENET_SYNONYMS } from './imagenetLabels';

describe('ImageNet labels', () => {
  it('has 1000 classes in the standard order', () => {
    expect(IMAGENET_LABELS).toHaveLength(1000);
    expect(IMAGENET_LABELS[0]).toBe('tench');
    expect(IMAGENET_LABELS[281]).toBe('tabby');
    expect(IMAGENET_LABELS[504]).toBe('coffee mug');
    expect(IMAGENET_LABELS[999]).toBe('toilet tissue');
    expect(IMAGENET_SYNONYMS[999]).toBe('toilet tissue, toilet paper, bathroom tissue');
  });
});
