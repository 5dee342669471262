import { describe, expect, it } from 'vitest';

import { isSoftwareRenderer } from './softwareRenderer';

describe('isSoftwareRenderer', () => {
  it('recognizes the software rasterizers auto must not pick WebGL on', () => {
    for (const renderer of [
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'Microsoft Basic Render Driver',
      'Google SwiftShader',
    ]) {
      expect(isSoftwareRenderer(renderer), renderer).toBe(true);
    }
  });
  it('leaves hardware GPUs to WebGL', () => {
    for (const renderer of [
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002504) Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Apple M2',
      'Mesa Intel(R) UHD Graphics 620 (KBL GT2)',
      'ANGLE (AMD, AMD Radeon Pro 5500M OpenGL Engine, OpenGL 4.1)',
    ]) {
      expect(isSoftwareRenderer(renderer), renderer).toBe(false);
    }
  });
});
