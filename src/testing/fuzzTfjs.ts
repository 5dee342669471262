/**
 * A tiny TF.js layers model that the app's reader accepts as a ResNet18 export, for the fuzz and regression
 * tests of the TF.js reader: kept apart from fuzz.ts so that only those tests load TF.js.
 */
import * as tfl from '@tensorflow/tfjs-layers';

import { exportLayersModel } from '../model/weights/tfjsFormat';

/**
 * A chain of dense layers named as a ResNet18 export names its layers (stem_conv, layerS_B_out, fc): the
 * reader identifies a model by those names, so this one loads all the way through, in milliseconds.
 */
export function tinyResNetNamedModel(): tfl.LayersModel {
  const names = ['stem_conv'];
  for (let stage = 1; stage <= 4; stage++)
    for (let block = 0; block < 2; block++) names.push(`layer${stage}_${block}_out`);
  names.push('fc');
  const model = tfl.sequential();
  names.forEach((name, i) =>
    model.add(
      tfl.layers.dense({ units: 2, name, ...(i === 0 ? { inputShape: [3] } : {}), useBias: i % 2 === 0 }),
    ),
  );
  return model;
}

/** That model's model.json (parsed and as text) and weights file, as the app's own export writes them. */
export async function tinyResNetNamedExport(): Promise<{
  json: Record<string, unknown>;
  jsonText: string;
  bin: Uint8Array;
  binName: string;
}> {
  const model = tinyResNetNamedModel();
  try {
    const exported = await exportLayersModel(model, {
      variant: 'resnet18',
      flavor: 'torchvision',
      weightsName: 'x',
    });
    return {
      json: JSON.parse(exported.modelJson) as Record<string, unknown>,
      jsonText: exported.modelJson,
      bin: new Uint8Array(exported.weightsBin),
      binName: exported.binName,
    };
  } finally {
    model.dispose();
  }
}
