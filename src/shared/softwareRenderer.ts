/**
 * Which WebGL renderers rasterize on the CPU, so `auto` runs WASM there instead: shared by the engine, which
 * chooses, and the e2e tests, which check its choice against the renderer their browser reports.
 */

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|basic render driver|software/i;

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERERS.test(renderer);
}
