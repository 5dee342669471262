import { describe, expect, it } from 'vitest';

import { architectureChangeNote } from './weightsSlice';

describe('architectureChangeNote', () => {
  it('says when the weights switched the depth', () => {
    expect(
      architectureChangeNote(
        'resnet34.pth',
        { variant: 'resnet18', flavor: 'reference' },
        { variant: 'resnet34', flavor: 'torchvision' },
      ),
    ).toBe(
      "resnet34.pth holds ResNet34 weights in torchvision's layout, so the model switched from ResNet18 to ResNet34.",
    );
  });

  it('says when only the layout changed', () => {
    expect(
      architectureChangeNote(
        'resnet18.safetensors',
        { variant: 'resnet18', flavor: 'reference' },
        { variant: 'resnet18', flavor: 'torchvision' },
      ),
    ).toBe(
      "resnet18.safetensors holds ResNet18 weights in torchvision's layout, so ResNet18 was rebuilt in that layout (it was the reference design).",
    );
  });

  it('says nothing when the architecture stayed, or there was none before', () => {
    const same = { variant: 'resnet18', flavor: 'torchvision' } as const;
    expect(architectureChangeNote('a.pth', same, same)).toBeNull();
    expect(architectureChangeNote('a.pth', null, same)).toBeNull();
  });
});
