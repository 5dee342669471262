import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { FUZZ_TIMEOUT_MS, FuzzRecorder, fuzzParameters } from '../testing/fuzz';
import { EXPLAIN_METHOD_IDS } from './explain';
import type { StageChoice } from './explain';
import {
  DEFAULT_SETTINGS,
  MAX_COMPARED,
  type ShareableSettings,
  isModelId,
  parseModelId,
  parseSearch,
  toSearch,
} from './permalink';
import { BACKEND_CHOICES } from './protocol';
import { VARIANT_IDS } from './variants';

const settings = (overrides: Partial<ShareableSettings> = {}): ShareableSettings => ({
  ...DEFAULT_SETTINGS,
  models: [],
  ...overrides,
});

const STAGES: readonly StageChoice[] = [
  'stem',
  'layer1',
  'layer2',
  'layer3',
  'layer4',
  'conv2',
  'conv3',
  'conv4',
  'conv5',
  'all',
];

/** Valid settings of every shape: no model, one, or 2-4 different ones to compare. */
const settingsArbitrary: fc.Arbitrary<ShareableSettings> = fc.record({
  models: fc.oneof(
    fc.constant<string[]>([]),
    fc.uniqueArray(
      fc
        .tuple(
          fc.constantFrom(...VARIANT_IDS),
          fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), { nil: undefined }),
        )
        .map(([variant, weights]) => (weights === undefined ? variant : `${variant}:${weights}`)),
      { minLength: 1, maxLength: 4 },
    ),
  ),
  backend: fc.constantFrom(...BACKEND_CHOICES),
  k: fc.integer({ min: 1, max: 20 }),
  method: fc.constantFrom(...EXPLAIN_METHOD_IDS),
  stage: fc.option(fc.constantFrom(...STAGES)),
});

describe('model ids', () => {
  it('are a variant, optionally with a weights name', () => {
    expect(parseModelId('resnet18')).toEqual({ variant: 'resnet18', weights: null });
    expect(parseModelId('resnet18:torchvision-imagenet')).toEqual({
      variant: 'resnet18',
      weights: 'torchvision-imagenet',
    });
    expect(parseModelId('resnet50:v1.5_b')).toEqual({ variant: 'resnet50', weights: 'v1.5_b' });
    for (const bad of [
      '',
      'resnet',
      'ResNet18',
      'vgg16',
      'resnet18:',
      'resnet18:-x',
      'resnet18:a b',
      'resnet18:a:b',
    ]) {
      expect(isModelId(bad), bad).toBe(false);
    }
    expect(isModelId(`resnet18:${'w'.repeat(64)}`)).toBe(true);
    expect(isModelId(`resnet18:${'w'.repeat(65)}`)).toBe(false);
    for (const inherited of ['constructor', 'toString', '__proto__', 'constructor:x']) {
      expect(isModelId(inherited), inherited).toBe(false);
    }
  });
});

describe('writing a link', () => {
  it('writes nothing for the defaults', () => {
    expect(toSearch(DEFAULT_SETTINGS).toString()).toBe('');
  });

  it('keeps ?model= for one model and uses ?compare= for several', () => {
    expect(toSearch(settings({ models: ['resnet34'] })).toString()).toBe('model=resnet34');
    expect(toSearch(settings({ models: ['resnet18', 'resnet50:x'] })).get('compare')).toBe(
      'resnet18,resnet50:x',
    );
  });

  it('writes only what differs from the defaults', () => {
    const params = toSearch(settings({ backend: 'wasm', k: 3, method: 'scorecam', stage: 'layer3' }));
    expect([...params]).toEqual([
      ['backend', 'wasm'],
      ['k', '3'],
      ['method', 'scorecam'],
      ['stage', 'layer3'],
    ]);
    expect(toSearch(settings({ backend: 'auto', k: 5, method: 'gradcam', stage: null })).toString()).toBe('');
  });
});

describe('reading a link', () => {
  it('reads every setting, with or without the question mark', () => {
    const expected = settings({
      models: ['resnet18:torchvision-imagenet', 'resnet50'],
      backend: 'cpu',
      k: 10,
      method: 'ig',
      stage: 'all',
    });
    const search = '?compare=resnet18:torchvision-imagenet,resnet50&backend=cpu&k=10&method=ig&stage=all';
    expect(parseSearch(search)).toEqual({ settings: expected, problems: [] });
    expect(parseSearch(search.slice(1))).toEqual({ settings: expected, problems: [] });
    expect(parseSearch('?model=resnet34')).toEqual({
      settings: settings({ models: ['resnet34'] }),
      problems: [],
    });
  });

  it('reads and writes view=network, and falls back to the page as it opens for any other view', () => {
    expect(parseSearch('?model=resnet34&view=network')).toEqual({
      settings: settings({ models: ['resnet34'], view: 'network' }),
      problems: [],
    });
    expect(toSearch(settings({ models: ['resnet34'], view: 'network' })).toString()).toBe(
      'model=resnet34&view=network',
    );
    expect(parseSearch('?view=graph')).toEqual({
      settings: DEFAULT_SETTINGS,
      problems: ["The link's view=graph is not network; using the page as it opens."],
    });
  });

  it('gives the defaults for an empty query, and ignores parameters it does not know', () => {
    expect(parseSearch('')).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
    expect(parseSearch('?utm_source=x&debug&k=3')).toEqual({ settings: settings({ k: 3 }), problems: [] });
  });

  it('round-trips any valid settings', () => {
    fc.assert(
      fc.property(settingsArbitrary, (original) => {
        const search = toSearch(original).toString();
        expect(parseSearch(search)).toEqual({ settings: original, problems: [] });
        expect(parseSearch(`?${search}`).settings).toEqual(original);
      }),
      fuzzParameters(500),
    );
  });
});

describe('a tampered link', () => {
  const problemsOf = (search: string) => parseSearch(search).problems;

  it('falls back to the default of each bad value, saying so', () => {
    expect(parseSearch('?k=abc&backend=cuda&method=lime&stage=fc&model=vgg16')).toEqual({
      settings: DEFAULT_SETTINGS,
      problems: [
        "The link's model=vgg16 is not a model this app knows (resnet18, resnet34, resnet50, optionally followed by :weights); using the app's choice.",
        "The link's backend=cuda is not one of auto, webgl, webgpu, wasm, cpu; using auto.",
        "The link's k=abc is not a number from 1 to 20; using 5.",
        "The link's method=lime is not one of cam, gradcam, gradcampp, gradcampp-eps, layercam, scorecam, occlusion, ig; using gradcam.",
        "The link's stage=fc is not one of stem, layer1, layer2, layer3, layer4, conv2, conv3, conv4, conv5, all; using the model's last stage.",
      ],
    });
  });

  it('accepts k only as a whole number from 1 to 20', () => {
    for (const bad of ['0', '21', '-1', '+3', '3.0', '1e1', ' 3', '0x3', '', '99999999999999999999']) {
      const { settings: read, problems } = parseSearch(`?k=${encodeURIComponent(bad)}`);
      expect(read.k, bad).toBe(5);
      expect(problems, bad).toHaveLength(1);
    }
    expect(parseSearch('?k=20').settings.k).toBe(20);
    expect(parseSearch('?k=07').settings.k).toBe(7);
  });

  it('leaves unknown and repeated models out of a comparison', () => {
    expect(parseSearch('?compare=resnet18,vgg16,resnet34,resnet18,alexnet')).toEqual({
      settings: settings({ models: ['resnet18', 'resnet34'] }),
      problems: [
        "The link's compare= names vgg16, alexnet, not models this app knows (resnet18, resnet34, resnet50, optionally followed by :weights); leaving them out.",
        "The link's compare= names resnet18 more than once; comparing each once.",
      ],
    });
    // Blanks and empty entries are how hand-edited lists look: no problem.
    expect(parseSearch('?compare=resnet18, resnet34,,')).toEqual({
      settings: settings({ models: ['resnet18', 'resnet34'] }),
      problems: [],
    });
  });

  it('compares at most four models', () => {
    const five = 'resnet18,resnet34,resnet50,resnet18:a,resnet18:b';
    expect(parseSearch(`?compare=${five}`)).toEqual({
      settings: settings({ models: ['resnet18', 'resnet34', 'resnet50', 'resnet18:a'] }),
      problems: ["The link's compare= names 5 models; comparing the first 4."],
    });
  });

  it('opens the one model a comparison of one is left with, or what model= names', () => {
    expect(parseSearch('?compare=resnet34,resnet34')).toEqual({
      settings: settings({ models: ['resnet34'] }),
      problems: [
        "The link's compare= names resnet34 more than once; comparing each once.",
        "The link's compare= names only resnet34 this app knows, and comparing needs 2 to 4; opening resnet34.",
      ],
    });
    expect(parseSearch('?compare=vgg16&model=resnet50')).toEqual({
      settings: settings({ models: ['resnet50'] }),
      problems: [
        "The link's compare= names vgg16, not a model this app knows (resnet18, resnet34, resnet50, optionally followed by :weights); leaving it out.",
        "The link's compare= names no model this app knows, and comparing needs 2 to 4; opening resnet50.",
      ],
    });
    expect(parseSearch('?compare=').settings.models).toEqual([]);
    expect(problemsOf('?compare=')).toEqual([
      "The link's compare= names no model this app knows, and comparing needs 2 to 4; using the app's choice.",
    ]);
  });

  it('prefers a usable comparison to model=', () => {
    expect(parseSearch('?model=resnet50&compare=resnet18,resnet34')).toEqual({
      settings: settings({ models: ['resnet18', 'resnet34'] }),
      problems: ['The link has both compare= and model=; comparing resnet18, resnet34.'],
    });
  });

  it('does not read an overlong parameter, and never repeats a long value whole', () => {
    const long = 'x'.repeat(201);
    expect(parseSearch(`?k=${long}&model=${long}&compare=${long}`)).toEqual({
      settings: DEFAULT_SETTINGS,
      problems: [
        "The link's compare= is 201 characters long (at most 200); using no comparison.",
        "The link's model= is 201 characters long (at most 200); using the app's choice.",
        "The link's k= is 201 characters long (at most 200); using 5.",
      ],
    });
    const [problem] = problemsOf(`?method=${'y'.repeat(200)}`);
    expect(problem).toBe(
      `The link's method=${'y'.repeat(40)}… is not one of ${EXPLAIN_METHOD_IDS.join(', ')}; using gradcam.`,
    );
  });

  it('shows control characters in a value as replacement characters', () => {
    expect(problemsOf('?backend=a%0Ab%00')).toEqual([
      "The link's backend=a\uFFFDb\uFFFD is not one of auto, webgl, webgpu, wasm, cpu; using auto.",
    ]);
  });

  it('reads the first of a repeated parameter', () => {
    expect(parseSearch('?k=3&k=abc').settings.k).toBe(3);
    expect(problemsOf('?k=3&k=abc')).toEqual([]);
  });
});

/** What every parse must give, whatever the link: settings the app can use as they are. */
function expectUsable(read: ShareableSettings): void {
  expect(read.models.length).toBeLessThanOrEqual(MAX_COMPARED);
  expect(new Set(read.models).size).toBe(read.models.length);
  for (const id of read.models) expect(id).toMatch(/^resnet(18|34|50)(:[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/);
  expect(BACKEND_CHOICES).toContain(read.backend);
  expect(Number.isInteger(read.k) && read.k >= 1 && read.k <= 20, String(read.k)).toBe(true);
  expect(EXPLAIN_METHOD_IDS).toContain(read.method);
  if (read.stage !== null) expect(STAGES).toContain(read.stage);
}

const NAMES = ['model', 'compare', 'k', 'method', 'stage', 'backend'] as const;
const TOKENS = [
  ...VARIANT_IDS,
  'resnet18:torchvision-imagenet',
  'vgg16',
  ...BACKEND_CHOICES,
  ...EXPLAIN_METHOD_IDS,
  ...STAGES,
];

/** A value near the ones parsed: tokens, lists of them, numbers, broken escapes, junk, and overlong runs. */
const valueArbitrary = fc.oneof(
  fc.constantFrom(...TOKENS),
  fc.array(fc.constantFrom(...TOKENS, '', ' ', 'resnet18'), { maxLength: 8 }).map((parts) => parts.join(',')),
  fc.integer({ min: -5, max: 30 }).map(String),
  fc.constantFrom(
    '',
    '%',
    '%zz',
    '%E0%A4%A',
    '%00',
    '%0A',
    '1e1',
    '+3',
    '07',
    'constructor',
    '__proto__',
    'toString',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .tuple(fc.constantFrom('a', ',', 'resnet18,', '%2C'), fc.integer({ min: 150, max: 260 }))
    .map(([unit, times]) => unit.repeat(Math.ceil(times / unit.length))),
);

/** A query: parameters joined raw (so broken escapes and stray `&`/`=` get through), or any string at all. */
const searchArbitrary = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 8 })),
        valueArbitrary,
        fc.boolean(),
      ),
      { maxLength: 10 },
    )
    .chain((pairs) =>
      fc
        .constantFrom('', '?')
        .map(
          (prefix) =>
            prefix +
            pairs
              .map(([name, value, encoded]) => `${name}=${encoded ? encodeURIComponent(value) : value}`)
              .join('&'),
        ),
    ),
  fc.string({ unit: 'binary', maxLength: 120 }),
);

describe('parseSearch fuzz', () => {
  it(
    'fuzz: never throws, always gives usable settings, short problems, and a link that reads back clean',
    () => {
      const recorder = new FuzzRecorder('parseSearch', () => false);
      fc.assert(
        fc.property(searchArbitrary, (search) => {
          const outcome = recorder.run(
            () => parseSearch(search),
            () => JSON.stringify(search),
          );
          if (!outcome.ok) return;
          const { settings: read, problems } = outcome.value;
          expectUsable(read);
          expect(problems.length).toBeLessThanOrEqual(8);
          for (const problem of problems) expect(problem.length).toBeLessThanOrEqual(300);
          expect(parseSearch(toSearch(read).toString())).toEqual({ settings: read, problems: [] });
        }),
        fuzzParameters(),
      );
      recorder.report();
    },
    FUZZ_TIMEOUT_MS,
  );
});
