/**
 * Weight files to a built model holding them: the format is recognized by content, depth and layout by the
 * tensors, and the matching architecture is built for them.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { OnProgress } from '../../shared/progress';
import type { BuildFlavor, BuildableVariantId } from '../../shared/variants';
import { detectWeightsFormat } from '../../shared/weightsFormat';
import type { NamedBuffer } from '../../shared/weightsFormat';
import { buildResNet } from '../buildResNet';
import { parsePyTorchCheckpoint } from './pytorchZip';
import { parseSafetensors } from './safetensors';
import { WeightsFormatError } from './tensorMap';
import type { TensorMap } from './tensorMap';
import { loadLayersModelFromFiles } from './tfjsFormat';
import {
  applyTorchvisionWeights,
  detectArchitecture,
  validateTorchvisionTensors,
} from './torchvisionWeights';

const SUPPORTED =
  'Supported: .safetensors and PyTorch .pth/.pt state dicts of torchvision/timm ResNet18/34, or a TF.js model.json with its weight shards.';

export interface ModelFromWeights {
  model: LayersModel;
  variant: BuildableVariantId;
  flavor: BuildFlavor;
}

/**
 * `origin` words the errors: a URL brings one file, a file picker can bring several. The caller owns the
 * returned model.
 */
export async function modelFromWeightFiles(
  files: readonly NamedBuffer[],
  origin: 'file' | 'url' | 'cache',
  onProgress: OnProgress,
): Promise<ModelFromWeights> {
  const report = (fraction: number, message: string) => onProgress({ fraction, message });
  const formats = files.map((f) => detectWeightsFormat(f));
  if (formats.includes('tfjs-json')) {
    report(0.1, 'Reading TF.js model');
    let loaded: Awaited<ReturnType<typeof loadLayersModelFromFiles>>;
    try {
      loaded = await loadLayersModelFromFiles(files);
    } catch (err) {
      // "Select them together" means nothing for a URL: only the one file it names was downloaded.
      if (origin === 'url' && err instanceof WeightsFormatError && err.code === 'missing-record') {
        throw new WeightsFormatError(
          'missing-record',
          `${err.message.replace(/;[^;]*$/, '')}, but a URL brings only the model.json. Download it with its shards and open them together.`,
        );
      }
      throw err;
    }
    return loaded;
  }
  if (files.length !== 1) {
    throw new WeightsFormatError(
      'not-a-checkpoint',
      `Choose one weights file (got ${files.length}), or a model.json together with its shards.`,
    );
  }
  const [file] = files;
  const format = formats[0];
  let tensors: TensorMap;
  report(0.05, `Reading ${file!.name}`);
  if (format === 'safetensors') tensors = parseSafetensors(file!.data);
  else if (format === 'pytorch') tensors = parsePyTorchCheckpoint(file!.data);
  else if (format === 'tfjs-shard') {
    throw new WeightsFormatError(
      'missing-record',
      `${file!.name} looks like a TF.js weight shard; select its model.json too.`,
    );
  } else {
    throw new WeightsFormatError(
      'not-a-checkpoint',
      `${file!.name} is not a weights file this app can read. ${SUPPORTED}`,
    );
  }
  const { variant, flavor } = detectArchitecture(tensors);
  // Refuse a bad file before building a model for it: the build is most of the time a refusal would take.
  validateTorchvisionTensors(tensors, variant);
  report(0.15, `Building ${variant} (${flavor})`);
  const model = await buildResNet({ variant, flavor, init: 'zeros' });
  try {
    report(0.5, 'Loading weights');
    applyTorchvisionWeights(model, tensors, variant);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, variant, flavor };
}
