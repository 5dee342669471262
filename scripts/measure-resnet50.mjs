#!/usr/bin/env node
// Runs the fetched Keras ResNet50 (public/models/resnet50/) on TF.js' CPU backend in Node over five photos,
// with both framings the app could use (squash to 224x224, or shorter side 256 + center crop 224), and prints
// the top-5 of each, whether the required top-1 classes come out, the stage table and predict timings.
// It is the evidence behind the framing of KERAS_CAFFE_PREPROCESS (src/model/preprocess/spec.ts) and RESNET50_EXPECTED_STAGES (src/model/resnet50.ts).
//
// Usage: node scripts/measure-resnet50.mjs [--json out.json]
// Needs /usr/bin/python3 with PIL, which decodes and resizes (bilinear with antialiasing) as a stand-in for
// the browser's createImageBitmap; slow (the pure-JS CPU backend takes ~20 s per predict), that is fine here.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODEL_DIR = join(ROOT, 'public', 'models', 'resnet50');
const PHOTO_DIR = '/usr/lib/python3/dist-packages/skimage/data';
const PHOTOS = ['chelsea.png', 'coffee.png', 'motorcycle_left.png', 'astronaut.png', 'rocket.jpg'];
// The proof: the top-1 class each photo must get (any of the listed ImageNet indices).
const REQUIRED_TOP1 = {
  'chelsea.png': [281, 282, 285],
  'coffee.png': [967, 968, 504],
  'motorcycle_left.png': [665, 670],
};
const FRAMINGS = ['squash', 'crop'];

const jsonOut = (() => {
  const i = process.argv.indexOf('--json');
  return i > 0 ? process.argv[i + 1] : undefined;
})();

if (!existsSync(join(MODEL_DIR, 'model.json'))) {
  console.error(
    'measure-resnet50: public/models/resnet50 is missing; run `node scripts/fetch-resnet50.mjs` first.',
  );
  process.exit(1);
}

// The app's own TypeScript (stage grouping, preprocessing, labels), loaded through Vite so it is the code
// under test rather than a copy. configFile: false keeps the React plugin out of a Node-only import.
const viteConfig = { configFile: false, logLevel: 'error' };
const { module: r50 } = await runnerImport(join(ROOT, 'src/model/resnet50.ts'), viteConfig);
const { module: reference } = await runnerImport(
  join(ROOT, 'src/testing/preprocessReference.ts'),
  viteConfig,
);
const { module: labels } = await runnerImport(join(ROOT, 'src/shared/imagenetLabels.ts'), viteConfig);

/** An IOHandler that reads model.json and its shards from disk (tf.io's file:// loader needs tfjs-node). */
function diskHandler(dir) {
  return {
    async load() {
      const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      const weightSpecs = model.weightsManifest.flatMap((g) => g.weights);
      const shards = model.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(dir, p)));
      const all = Buffer.concat(shards);
      return {
        modelTopology: model.modelTopology,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: model.format,
        generatedBy: model.generatedBy,
        convertedBy: model.convertedBy,
      };
    },
  };
}

/** Decodes and frames every photo with PIL into 224x224 RGBA bytes, one file per photo and framing. */
function framePhotos(outDir) {
  const py = `
import sys, os
from PIL import Image
src, out = sys.argv[1], sys.argv[2]
for name in sys.argv[3:]:
    im = Image.open(os.path.join(src, name)).convert('RGBA')
    w, h = im.size
    # torchvision's Resize(256) rounding, then CenterCrop(224) with its rounding (as src/model/preprocess/geometry.ts)
    if w <= h:
        nw, nh = 256, int(256 * h / w)
    else:
        nw, nh = int(256 * w / h), 256
    r = im.resize((nw, nh), Image.BILINEAR)
    x, y = int(round((nw - 224) / 2)), int(round((nh - 224) / 2))
    c = r.crop((x, y, x + 224, y + 224))
    open(os.path.join(out, name + '.crop.rgba'), 'wb').write(c.tobytes())
    open(os.path.join(out, name + '.squash.rgba'), 'wb').write(im.resize((224, 224), Image.BILINEAR).tobytes())
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, PHOTO_DIR, outDir, ...PHOTOS], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PIL framing failed: ${r.stderr || r.error}`);
}

await tf.setBackend('cpu');
let t0 = performance.now();
const model = await loadLayersModel(diskHandler(MODEL_DIR));
const loadMs = performance.now() - t0;
const inputLayer = model.inputLayers[0];
const lastLayer = model.layers[model.layers.length - 1];
console.log(
  `TF.js ${tf.version_core}, backend ${tf.getBackend()}; model.json loaded unchanged in ${loadMs.toFixed(0)} ms`,
);
console.log(
  `input ${inputLayer.name} ${JSON.stringify(model.inputs[0].shape)}, output ${lastLayer.name} ` +
    `${JSON.stringify(model.outputs[0].shape)} activation=${lastLayer.getConfig().activation}`,
);

const summary = r50.summarizeResNet50(model);
console.log(
  `\nparams: total ${summary.totalParams} (countParams ${model.countParams()}), trainable ` +
    `${summary.trainableParams}, non-trainable ${summary.nonTrainableParams}`,
);
for (const s of summary.stages) {
  console.log(
    `  ${s.stage.padEnd(5)} ${s.outputShape.join('x').padEnd(11)} ${String(s.params).padStart(10)} ` +
      `(trainable ${s.trainableParams}, non-trainable ${s.nonTrainableParams}) output layer ${s.outputLayer}`,
  );
}
const unassigned = model.layers.filter((l) => r50.resnet50StageOfLayer(l.name) === null).map((l) => l.name);
console.log(`  in no stage: ${unassigned.join(', ')}`);

const work = mkdtempSync(join(tmpdir(), 'measure-resnet50-'));
const results = [];
try {
  framePhotos(work);
  const timings = [];
  for (const framing of FRAMINGS) {
    console.log(`\n=== framing: ${framing}`);
    for (const photo of PHOTOS) {
      const rgba = new Uint8ClampedArray(readFileSync(join(work, `${photo}.${framing}.rgba`)));
      const input = tf.tensor4d(reference.rgbaToCaffeBGR(rgba), [1, 224, 224, 3]);
      t0 = performance.now();
      const probsTensor = model.predict(input);
      const probs = await probsTensor.data();
      timings.push(performance.now() - t0);
      tf.dispose([input, probsTensor]);
      const sum = probs.reduce((a, b) => a + b, 0);
      const top5 = [...probs.keys()]
        .sort((a, b) => probs[b] - probs[a])
        .slice(0, 5)
        .map((i) => ({ index: i, label: labels.IMAGENET_LABELS[i], p: probs[i] }));
      const required = REQUIRED_TOP1[photo];
      const ok = required ? required.includes(top5[0].index) : null;
      const requiredP = required ? required.map((i) => probs[i]) : null;
      results.push({ framing, photo, top5, sum, requiredTop1: required ?? null, requiredP, ok });
      const verdict =
        ok === null ? '' : ok ? `  [top-1 OK: in ${required}]` : `  [top-1 WRONG: want ${required}]`;
      console.log(`${photo}${verdict}  (sum of outputs ${sum.toFixed(6)})`);
      for (const t of top5) console.log(`    ${String(t.index).padStart(3)} ${t.p.toFixed(4)} ${t.label}`);
    }
  }
  console.log('\n=== summary');
  for (const framing of FRAMINGS) {
    const rows = results.filter((r) => r.framing === framing);
    const checked = rows.filter((r) => r.ok !== null);
    const meanTop1 = rows.reduce((a, r) => a + r.top5[0].p, 0) / rows.length;
    // Top-1 confidence rewards confidently wrong answers too; the mass left outside a photo's acceptable
    // classes measures how wrong a framing is, so it is the number the framing choice rests on.
    const missed = checked.map((r) => 1 - r.requiredP.reduce((a, p) => a + p, 0));
    console.log(
      `${framing.padEnd(6)} required top-1: ${checked.filter((r) => r.ok).length}/${checked.length}; ` +
        `probability outside the acceptable classes: ${missed.map((m) => m.toFixed(4)).join(', ')}; ` +
        `mean top-1 probability over all ${rows.length} photos ${meanTop1.toFixed(4)}`,
    );
  }
  const [first, ...rest] = timings;
  const restSorted = rest.sort((a, b) => a - b);
  console.log(
    `predict on CPU (Node ${process.version}): first ${(first / 1000).toFixed(1)} s, then median ` +
      `${(restSorted[Math.floor(restSorted.length / 2)] / 1000).toFixed(1)} s over ${rest.length}`,
  );
  if (jsonOut) {
    writeFileSync(
      jsonOut,
      JSON.stringify(
        { tfjs: tf.version_core, backend: tf.getBackend(), summary, results, timingsMs: timings },
        null,
        2,
      ),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  model.dispose();
}
