/**
 * Every name under which the app keeps something in the browser, all under one prefix so they are easy to
 * find and to tell from other apps' on the same origin, and the names earlier versions used. A visit moves
 * what it finds under a former name to today's: localStorage in src/client/formerLocalStorage.ts, the weights
 * cache in src/client/weightsCache.ts, the models database in src/model/checkedModelStore.ts.
 */

export const STORAGE_PREFIX = 'resnet-lens:';

/** localStorage: the theme the user chose ('light' or 'dark'). */
export const THEME_KEY = 'resnet-lens:theme';
/** localStorage: the WebGL renderer the last visit saw, with the browser that saw it. */
export const RENDERER_KEY = 'resnet-lens:webgl-renderer';
/** Cache Storage: weights loaded from a file or a URL, to load again offline. */
export const WEIGHTS_CACHE = 'resnet-lens:weights-v1';
/** IndexedDB: checksummed models (the bundled ResNet50's copy), in an object store named `models`. */
export const MODELS_DB = 'resnet-lens:models';
/** IndexedDB: taught models (issue #26), each as its checksummed export file, in an object store `taught`. */
export const TAUGHT_MODELS_DB = 'resnet-lens:taught-models';

/** localStorage keys of earlier versions, each with the key that replaced it. */
export const FORMER_LOCAL_STORAGE_KEYS: ReadonlyArray<readonly [former: string, current: string]> = [
  ['resnet-lens.theme', THEME_KEY],
  ['resnet-explorer:webgl-renderer', RENDERER_KEY],
];
/** The weights cache of earlier versions. */
export const FORMER_WEIGHTS_CACHE = 'resnet-lens-weights-v1';
/** The models database of earlier versions (same object store, same records). */
export const FORMER_MODELS_DB = 'resnet-lens-models';
