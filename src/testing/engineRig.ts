/**
 * The set-up the engine's Node tests share: a stand-in for the worker's image decoder (Node has no
 * OffscreenCanvas), the WASM backend, an engine whose events are kept, and a seeded random ResNet loaded by handle.
 */
import { vi } from 'vitest';

import type { EngineEvent, ModelHandle, WorkerEngineApi } from '../shared/protocol';
import type { BuildableVariantId } from '../shared/variants';
import { setWasmBackend } from './wasmBackend';

/** What the decoder module must offer the stand-in; its own type is the worker's, which this room may not import. */
interface DecoderModule {
  ImageDecodeError: new (reason: 'undecodable', message: string) => Error;
}

/**
 * A vi.mock factory for the worker's './decodeImage': an image's bytes are its 224x224 RGBA crop, and anything
 * else fails as a browser's decoder would. vi.mock stays in the test file, whose path it resolves against, and
 * calls this from an arrow: vi.mock is hoisted above the imports, so a bare reference is read before this module
 * is.
 */
export async function cropDecoder<M extends DecoderModule>(original: () => Promise<M>) {
  const actual = await original();
  return {
    ...actual,
    decodeAndCrop: vi.fn(async (blob: Blob) => {
      if (blob.size !== 224 * 224 * 4) throw new actual.ImageDecodeError('undecodable', 'Not an image.');
      return { rgba: new Uint8ClampedArray(await blob.arrayBuffer()), sourceWidth: 224, sourceHeight: 224 };
    }),
    warmUpDecoding: vi.fn(async () => undefined),
  };
}

type RigEngine = Pick<WorkerEngineApi, 'setEventSink' | 'load'>;

/** An engine under test and what it sent: made before the tests so that they may read `events` at the top. */
export class EngineRig<E extends RigEngine> {
  /** Every event the engine sent, in order; a test may empty it. */
  readonly events: EngineEvent[] = [];
  /** Told each event as it comes, for the tests that cancel mid-way. */
  onEvent: (event: EngineEvent) => void = () => undefined;

  /** Sets the WASM backend, gives `engine` the rig's event sink and loads a seeded random ResNet into it. */
  async start(
    engine: E,
    seed: number,
    variant: BuildableVariantId = 'resnet18',
  ): Promise<{ engine: E; handle: ModelHandle }> {
    await setWasmBackend();
    await engine.setEventSink((event) => {
      this.events.push(event);
      this.onEvent(event);
    });
    const { handle } = await engine.load({ kind: 'random', variant, seed });
    return { engine, handle };
  }

  /** The events of one job. */
  ofJob(job: string): EngineEvent[] {
    return this.events.filter((e) => 'job' in e && e.job === job);
  }
}
