import { describe, expect, it } from 'vitest';

import { fileNameFromUrl } from './weightsDownload';

describe('fileNameFromUrl', () => {
  it('names hub files by their repository', () => {
    expect(
      fileNameFromUrl('https://huggingface.co/timm/resnet18.tv_in1k/resolve/main/model.safetensors'),
    ).toBe('timm/resnet18.tv_in1k/model.safetensors');
  });
  it('uses the last path segment otherwise', () => {
    expect(fileNameFromUrl('https://download.pytorch.org/models/resnet18-f37072fd.pth')).toBe(
      'resnet18-f37072fd.pth',
    );
  });
});
