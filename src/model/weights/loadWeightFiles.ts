import type { ProgressCallback } from '../classifier';
import { ResNetClassifier } from '../classifier';
import { buildResNet } from '../buildResNet';
import { detectWeightsFormat } from '../../shared/weightsFormat';
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
import type { WeightsPayload } from '../../shared/protocol';

const SUPPORTED =
  'Supported: .safetensors and PyTorch .pth/.pt state dicts of torchvision/timm ResNet18/34, or a TF.js model.json with its weight shards.';

/**
 * Turns weight files into a ready classifier: recognizes the format by content, detects depth and flavor from
 * the tensors, builds the matching architecture and loads the weights into it.
 */
export async function classifierFromWeightFiles(
  payload: WeightsPayload,
  onProgress: ProgressCallback,
): Promise<ResNetClassifier> {
  const weights = { kind: payload.source, name: payload.name };
  const formats = payload.files.map((f) => detectWeightsFormat(f));
  if (formats.includes('tfjs-json')) {
    onProgress(0.1, 'Reading TF.js model');
    let loaded: Awaited<ReturnType<typeof loadLayersModelFromFiles>>;
    try {
      loaded = await loadLayersModelFromFiles(payload.files);
    } catch (err) {
      // "Select them together" means nothing for a URL: only the one file it names was downloaded.
      if (payload.source === 'url' && err instanceof WeightsFormatError && err.code === 'missing-record') {
        throw new WeightsFormatError(
          'missing-record',
          `${err.message.replace(/;[^;]*$/, '')}, but a URL brings only the model.json. Download it with its shards and open them together.`,
        );
      }
      throw err;
    }
    const { model, variant, flavor } = loaded;
    return ResNetClassifier.fromModel(model, { variant, flavor, weights, onProgress });
  }
  if (payload.files.length !== 1) {
    throw new WeightsFormatError(
      'not-a-checkpoint',
      `Choose one weights file (got ${payload.files.length}), or a model.json together with its shards.`,
    );
  }
  const [file] = payload.files;
  const format = formats[0];
  let tensors: TensorMap;
  onProgress(0.05, `Reading ${file!.name}`);
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
  onProgress(0.15, `Building ${variant} (${flavor})`);
  const model = await buildResNet({ variant, flavor, init: 'zeros' });
  try {
    onProgress(0.5, 'Loading weights');
    applyTorchvisionWeights(model, tensors, variant);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return ResNetClassifier.fromModel(model, { variant, flavor, weights, onProgress });
}
