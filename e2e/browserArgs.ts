/**
 * How every e2e browser is launched: Debian's Chromium with the flags the bench and screenshot scripts share
 * (chromium-args.json), plus the one flag only tests take.
 */
import { readFileSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

const SHARED_ARGS = JSON.parse(
  readFileSync(new URL('./chromium-args.json', import.meta.url), 'utf8'),
) as string[];

/**
 * Without a GPU, GPU compositing means SwiftShader drawing every frame of the window with GL on the two cores the
 * tests' models run on; the software compositor does the same frames for less (docs/testing.md, "Time"). WebGL and
 * WebGPU are untouched, and no test looks at how a frame reaches the screen. The bench keeps the default: it
 * measures what a user of this machine gets.
 */
const TEST_ONLY_ARGS = ['--disable-gpu-compositing'];

export function e2eLaunchOptions(extraArgs: string[] = []): LaunchOptions {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...SHARED_ARGS, ...TEST_ONLY_ARGS, ...extraArgs],
  };
}
