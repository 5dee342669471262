/**
 * What a request about one image to the active model carries: the engine, the model's handle and the image
 * itself (every engine request names its model and brings its image, so the engine keeps no "current" one).
 */
import type { EngineApi, EngineImage, ModelHandle } from '../shared/protocol';
import type { AppState, StoreContext } from './types';

/** The engine and the model a request goes to. */
export interface ReadyModel {
  engine: EngineApi;
  handle: ModelHandle;
}

export interface ModelRequest extends ReadyModel {
  image: EngineImage;
}

/** The active model, if it is ready to answer (not loading, not failed), with its engine; else null. */
export function readyModel(
  s: Pick<AppState, 'modelStatus' | 'modelHandle'>,
  context: Pick<StoreContext, 'engine'>,
): ReadyModel | null {
  return s.modelStatus === 'ready' && s.modelHandle && context.engine
    ? { engine: context.engine, handle: s.modelHandle }
    : null;
}

/** The active model and `imageId` as a request, or null while no model is loaded or the image is gone. */
export function modelRequest(
  s: Pick<AppState, 'modelHandle' | 'images'>,
  context: Pick<StoreContext, 'engine'>,
  imageId: string | null,
): ModelRequest | null {
  const image = imageId === null ? undefined : s.images.find((i) => i.id === imageId);
  if (!context.engine || !s.modelHandle || !image) return null;
  return { engine: context.engine, handle: s.modelHandle, image: { id: image.id, blob: image.file } };
}
