/**
 * Chromium's fake camera for the camera specs: a short video made from a committed photo (so a frame is that
 * photo), the launch flags that play it, and waits on the camera panel's live figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LaunchOptions, Page } from '@playwright/test';

import { e2eLaunchOptions } from './browserArgs';
import { fixture } from './helpers';
import { expect } from './test';

/**
 * Where a spec's video goes (one per spec file and process: specs never share a file that another may be
 * rewriting); the browser reads it only when the page opens the camera, after `makeFakeCameraVideo`.
 */
export function fakeCameraVideo(name: string): string {
  return path.join(tmpdir(), `resnet-lens-camera-${process.pid}`, `${name}.y4m`);
}

/**
 * A browser of its own: the fake camera and its video are launch flags. The fake UI flag accepts every
 * permission prompt, so a refusal has to be played by replacing getUserMedia in the page. `extraArgs`: flags
 * a spec needs besides (a heap measurement's, say).
 */
export function fakeCameraLaunchOptions(video: string, extraArgs: string[] = []): LaunchOptions {
  return e2eLaunchOptions([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
    ...extraArgs,
  ]);
}

/** Makes `video` (for `beforeAll`): two seconds of chelsea.jpg at 10 frames per second, looped by Chromium. */
export function makeFakeCameraVideo(video: string): void {
  mkdirSync(path.dirname(video), { recursive: true });
  // The photo at its own aspect (451x300 rounded to even sides, as yuv420p needs), so a frame is framed and
  // cropped like the file itself.
  execFileSync('ffmpeg', [
    ...['-y', '-loglevel', 'error', '-loop', '1', '-i', fixture('chelsea.jpg')],
    ...['-t', '2', '-r', '10', '-vf', 'scale=450:300,format=yuv420p', '-f', 'yuv4mpegpipe', video],
  ]);
}

/** Frames the camera has answered since it started (0 before the first answer). */
export async function cameraFrames(page: Page): Promise<number> {
  return Number((await page.getByTestId('camera-fps').getAttribute('data-frames')) ?? 0);
}

/** Waits until the camera has answered `frames` frames since it started. */
export async function framesReach(page: Page, frames: number, timeout = 120_000): Promise<void> {
  await expect.poll(() => cameraFrames(page), { timeout }).toBeGreaterThanOrEqual(frames);
}

/** Opens the camera and waits for its first answer. */
export async function startCamera(page: Page): Promise<void> {
  await page.getByTestId('camera-start').click();
  await expect(page.getByTestId('camera-video')).toBeVisible();
  await framesReach(page, 1);
}
