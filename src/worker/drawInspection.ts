/** Drawing happens here, next to the activations: the page only receives finished bitmaps. */
import { transfer } from 'comlink';

import type { StageActivation } from '../model/classifier';
import type { AttributionMap } from '../explain/attributionMap';
import { classActivationMap } from '../explain/classActivationMap';
import { saliencyAtInput } from '../explain/explainer';
import { meanAndStd, renderAtlas, renderHeatmap, upsampleBilinear } from '../model/featureMaps';
import type { ActivationMap } from '../model/featureMaps';
import type { PreprocessSpec } from '../model/preprocess/spec';
import type { CamRender, FeatureMapOptions, StageRender } from '../shared/protocol';

export function rgbaToBitmap(rgba: Uint8ClampedArray, width: number, height: number): ImageBitmap {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('No 2D canvas is available for drawing.');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  return canvas.transferToImageBitmap();
}

export function drawStages(stages: readonly StageActivation[], options: FeatureMapOptions): StageRender[] {
  return stages.map(({ stage, map }) => {
    const atlas = renderAtlas(map, options);
    const { mean, std } = meanAndStd(map.data);
    return {
      mean,
      std,
      stage,
      outputShape: [map.height, map.width, map.channels],
      channels: map.channels,
      bitmap: rgbaToBitmap(atlas.rgba, atlas.width, atlas.height),
      layout: atlas.layout,
      stats: atlas.stats,
    };
  });
}

export const CAM_COLORMAP = 'turbo';

export function drawCam(
  lastStage: ActivationMap,
  fc: { kernel: Float32Array; classes: number },
  classIndex: number,
  size: number,
): CamRender {
  const cam = classActivationMap(lastStage, fc.kernel, fc.classes, classIndex);
  const upsampled = upsampleBilinear(cam, lastStage.height, lastStage.width, size, size);
  return { classIndex, bitmap: rgbaToBitmap(renderHeatmap(upsampled, CAM_COLORMAP), size, size) };
}

/** A one-channel map (Grad-CAM at a block) upsampled to the input's size and coloured like the CAM. */
export function drawMap(map: ActivationMap, classIndex: number, size: number): CamRender {
  const upsampled = upsampleBilinear(map.data, map.height, map.width, size, size);
  return { classIndex, bitmap: rgbaToBitmap(renderHeatmap(upsampled, CAM_COLORMAP), size, size) };
}

/** An explanation's map laid out at the input's size, min-max normalized and coloured like the CAM. */
export function drawAttribution(map: AttributionMap, size: number): ImageBitmap {
  return rgbaToBitmap(renderHeatmap(saliencyAtInput(map, size), CAM_COLORMAP), size, size);
}

/** The crop as the network saw it: after resize and crop, composited onto white (no normalization to undo). */
export function drawInput(rgba: Uint8ClampedArray, spec: PreprocessSpec): ImageBitmap {
  return rgbaToBitmap(rgba, spec.cropSize, spec.cropSize);
}

/** Marks every bitmap in a result for transfer (not copy) when it crosses the worker boundary. */
export function transferBitmaps<T extends object>(value: T, bitmaps: ImageBitmap[]): T {
  return transfer(value, bitmaps);
}
