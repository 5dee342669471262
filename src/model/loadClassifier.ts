/**
 * The one way to get a classifier: from seeded random weights, the bundled ImageNet ResNet50, or weight files.
 * What comes back is built, holds its weights and is warmed up through the path a user's image takes.
 */
import type { OnProgress } from '../shared/progress';
import type { ModelSource } from '../shared/protocol';
import { RESNET50_SOURCE } from '../shared/resnet50Package';
import { VARIANTS } from '../shared/variants';
import { loadBundledResNet50 } from './bundledResNet50';
import { markStart } from '../shared/startMarks';
import { DEFAULT_SEED, buildResNet } from './buildResNet';
import { ResNetClassifier } from './classifier';
import type { Classifier, ClassifierParts } from './classifier';
import { IMAGENET_TORCHVISION_PREPROCESS, KERAS_CAFFE_PREPROCESS } from './preprocess/spec';
import { summarizeResNet50 } from './resnet50';
import { summarizeStages } from './stageSummary';
import { modelFromWeightFiles } from './weights/loadWeightFiles';
import type { LayersModel } from './buildResNet';

export interface LoadClassifierOptions {
  onProgress?: OnProgress;
}

export async function loadClassifier(
  source: ModelSource,
  { onProgress }: LoadClassifierOptions = {},
): Promise<Classifier> {
  const report = (fraction: number, message: string) => onProgress?.({ fraction, message });
  switch (source.kind) {
    case 'random': {
      const { variant, flavor = 'reference', seed = DEFAULT_SEED } = source;
      // Zeros first: the fast path draws the seeded kernels itself, the layers model only when export asks.
      const model = await buildResNet({
        variant,
        flavor,
        seed,
        init: 'zeros',
        onProgress: (p) => report(0.8 * (p.fraction ?? 0), `Building ${p.message}`),
      });
      markStart('model-built');
      return warmedUp(model, report, {
        summary: summarizeStages(model, variant, flavor),
        preprocess: IMAGENET_TORCHVISION_PREPROCESS,
        weights: { origin: 'random', name: `${VARIANTS[variant].label}, random init (seed ${seed})` },
        seededLater: seed,
      });
    }
    case 'bundled': {
      const { model, notice, storeCopy } = await loadBundledResNet50(source.modelUrl, (p) => onProgress?.(p));
      const classifier = await warmedUp(model, report, {
        ...(notice ? { notice } : {}),
        // Keras' ResNet50 ends in a softmax and wants Caffe-style input: recorded, so the pipeline neither
        // repeats the softmax nor feeds it torchvision's normalization.
        summary: { variant: 'resnet50', flavor: 'keras', ...summarizeResNet50(model) },
        preprocess: KERAS_CAFFE_PREPROCESS,
        weights: {
          origin: 'bundled',
          name: `Keras ImageNet ResNet50 (${RESNET50_SOURCE.package}@${RESNET50_SOURCE.version})`,
        },
        outputIsProbabilities: true,
      });
      // Only now: its checksum and write shared the cores with the warm-up when started earlier.
      storeCopy?.();
      return classifier;
    }
    case 'files': {
      const { model, variant, flavor } = await modelFromWeightFiles(source.files, source.origin, (p) =>
        onProgress?.(p),
      );
      return warmedUp(model, report, {
        summary: summarizeStages(model, variant, flavor),
        preprocess: IMAGENET_TORCHVISION_PREPROCESS,
        weights: { origin: source.origin, name: source.name },
      });
    }
  }
}

/** Wraps a model (taking ownership: disposed if anything fails) and warms it up. */
async function warmedUp(
  model: LayersModel,
  report: (fraction: number, message: string) => void,
  parts: ClassifierParts,
): Promise<Classifier> {
  try {
    const classifier = new ResNetClassifier(model, parts);
    report(0.85, 'Warming up (compiling kernels)');
    await classifier.warmUp();
    markStart('warmed-up');
    report(1, 'Ready');
    return classifier;
  } catch (err) {
    model.dispose();
    throw err;
  }
}
