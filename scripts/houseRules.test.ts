import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house plan is enforced by `npm run lint` (eslint.config.js): each case puts one import into a file of one
 * room, lints it where it would live, and expects the rule to object exactly when the plan forbids it.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function lintErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = [x];\n`, { filePath });
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

const WRONG_WAY: [string, string, string][] = [
  [
    'the UI reaching into the model',
    'src/ui/Wrong.tsx',
    "import { VARIANTS as x } from '../model/buildResNet';",
  ],
  [
    'the UI reaching past the store into the client',
    'src/ui/Wrong.tsx',
    "import { startEngine as x } from '../client/startEngine';",
  ],
  [
    'the store reaching into the worker',
    'src/store/wrong.ts',
    "import { InferenceEngine as x } from '../worker/engine';",
  ],
  [
    'the page importing worker code',
    'src/client/wrong.ts',
    "import { InferenceEngine as x } from '../worker/engine';",
  ],
  [
    'the page importing the model',
    'src/client/wrong.ts',
    "import { loadClassifier as x } from '../model/loadClassifier';",
  ],
  [
    'shared code depending on the model',
    'src/shared/wrong.ts',
    "import { loadClassifier as x } from '../model/loadClassifier';",
  ],
  [
    'the model depending on the worker',
    'src/model/wrong.ts',
    "import { CropCache as x } from '../worker/cropCache';",
  ],
  [
    'the worker depending on the page',
    'src/worker/wrong.ts',
    "import { startEngine as x } from '../client/startEngine';",
  ],
  [
    'app code using a test-only reference',
    'src/model/wrong.ts',
    "import { cropRGBA as x } from '../testing/preprocessReference';",
  ],
  [
    'a type-only import the wrong way',
    'src/ui/Wrong.tsx',
    "import type { Classifier as x } from '../model/classifier';",
  ],
  ['TF.js in the UI', 'src/ui/Wrong.tsx', "import * as x from '@tensorflow/tfjs-core';"],
  ['TF.js in shared code', 'src/shared/wrong.ts', "import * as x from '@tensorflow/tfjs-core';"],
  ['React in the worker', 'src/worker/wrong.ts', "import * as x from 'react';"],
  [
    'the service worker reaching into the store',
    'src/serviceWorker/wrong.ts',
    "import { useAppStore as x } from '../store';",
  ],
  [
    'TF.js in the service worker',
    'src/serviceWorker/wrong.ts',
    "import * as x from '@tensorflow/tfjs-core';",
  ],
  [
    'the page importing the bench',
    'src/client/wrong.ts',
    "import type { BenchPageResult as x } from '../../bench/benchPage';",
  ],
  [
    'the UI importing the bench',
    'src/ui/Wrong.tsx',
    "import type { BenchPageResult as x } from '../../bench/benchPage';",
  ],
  [
    'the worker importing the bench',
    'src/worker/wrong.ts',
    "import type { BenchConvsRequest as x } from '../../bench/benchConvs';",
  ],
  [
    'shared code importing the bench',
    'src/shared/wrong.ts',
    "import type { BenchConvsRequest as x } from '../../bench/benchConvs';",
  ],
  [
    'the bench using a test-only reference',
    'bench/wrong.ts',
    "import { cropRGBA as x } from '../src/testing/preprocessReference';",
  ],
];

const ALLOWED: [string, string, string][] = [
  ['the UI using the store', 'src/ui/Right.tsx', "import { useAppStore as x } from '../store';"],
  [
    'the UI using shared vocabulary',
    'src/ui/Right.tsx',
    "import { formatShape as x } from '../shared/format';",
  ],
  [
    'the store using the client',
    'src/store/right.ts',
    "import { startEngine as x } from '../client/startEngine';",
  ],
  [
    'the worker using the model',
    'src/worker/right.ts',
    "import { loadClassifier as x } from '../model/loadClassifier';",
  ],
  [
    'the service worker using shared constants',
    'src/serviceWorker/right.ts',
    "import { CROSS_ORIGIN_ISOLATION_HEADERS as x } from '../shared/crossOriginIsolation';",
  ],
  [
    'the bench starting the engine as the page does',
    'bench/right.ts',
    "import { startEngine as x } from '../src/client/startEngine';",
  ],
  [
    'the bench timing the model in a worker of its own',
    'bench/right.worker.ts',
    "import { loadClassifier as x } from '../src/model/loadClassifier';",
  ],
  [
    'the bench using its own room',
    'bench/right.ts',
    "import type { BenchConvsRequest as x } from './benchConvs';",
  ],
  [
    'a test using a reference implementation',
    'src/model/right.test.ts',
    "import { cropRGBA as x } from '../testing/preprocessReference';",
  ],
];

describe('the house plan, as lint enforces it', () => {
  it.each(WRONG_WAY)('refuses %s', async (_why, filePath, code) => {
    expect(await lintErrors(filePath, code)).not.toEqual([]);
  });

  it.each(ALLOWED)('allows %s', async (_why, filePath, code) => {
    expect(await lintErrors(filePath, code)).toEqual([]);
  });
});

describe('UI components of one idea each, as lint enforces it', () => {
  /** A function of exactly `lines` lines, counted from its signature to its closing brace. */
  const component = (lines: number) =>
    `const x = 0;\nexport function Long() {\n  let n = x;\n${'  n += 1;\n'.repeat(lines - 4)}  return n;\n}`;

  it('refuses a function of more than 150 lines in src/ui', async () => {
    expect(await lintErrors('src/ui/Long.tsx', component(151))).toEqual([
      expect.stringMatching(/^max-lines-per-function: /),
    ]);
  });

  it('allows 150, and does not count blank lines or comments', async () => {
    expect(await lintErrors('src/ui/Long.tsx', component(150))).toEqual([]);
    const spaced = component(150).replace('  let n = x;\n', '  let n = x;\n\n  // why\n  /* and why */\n');
    expect(await lintErrors('src/ui/Long.tsx', spaced)).toEqual([]);
  });

  it('leaves the rooms without a page alone', async () => {
    expect(await lintErrors('src/worker/long.ts', component(151))).toEqual([]);
  });
});
