/**
 * The settings a shared link carries (the model or the compared models, backend, k, and Look inside's method and
 * stage), written into a URL's query and read back. A link comes from anyone, so reading never fails: whatever is
 * wrong falls back to its default, with a sentence saying so.
 */
import { EXPLAIN_METHOD_IDS, isExplainMethod } from './explain';
import type { ExplainMethod, StageChoice } from './explain';
import { DEFAULT_TOP_K, MAX_TOP_K } from './predictions';
import { BACKEND_CHOICES, isBackendChoice } from './protocol';
import type { BackendChoice } from './protocol';
import { VARIANT_IDS, isVariantId } from './variants';
import type { VariantId } from './variants';

export interface ShareableSettings {
  /**
   * Model ids (`resnet18`, `resnet18:torchvision-imagenet`): none (the app picks, as with no `?model=` today),
   * one to open, or MIN_COMPARED to MAX_COMPARED different ones to compare.
   */
  models: string[];
  backend: BackendChoice;
  k: number;
  method: ExplainMethod;
  /** null: the model's last stage (each model has its own). */
  stage: StageChoice | null;
  /** `network`: the Network view open (absent: the page as it opens). */
  view?: 'network';
}

/** `method` is the store's initial Look-inside method. */
export const DEFAULT_SETTINGS: Readonly<ShareableSettings> = Object.freeze({
  models: [],
  backend: 'auto',
  k: DEFAULT_TOP_K,
  method: 'gradcam',
  stage: null,
});

export const MIN_COMPARED = 2;
export const MAX_COMPARED = 4;
/** No parameter this module reads is longer; a longer one is a tampered or broken link, not read at all. */
export const MAX_PARAM_LENGTH = 200;

/**
 * A variant, then optionally `:` and a weights name: letters, digits, `.`, `_` and `-`, at most 64, not starting
 * with punctuation (so it cannot pass for an option or a path).
 */
const MODEL_ID = /^([a-z0-9]+)(?::([A-Za-z0-9][A-Za-z0-9._-]{0,63}))?$/;

/** The variant and weights name of a model id; null when it is not one. */
export function parseModelId(id: string): { variant: VariantId; weights: string | null } | null {
  const match = MODEL_ID.exec(id);
  const variant = match?.[1];
  if (!isVariantId(variant)) return null;
  return { variant, weights: match?.[2] ?? null };
}

export function isModelId(value: unknown): value is string {
  return typeof value === 'string' && parseModelId(value) !== null;
}

// A record rather than a list: the compiler then insists that every stage of the type is here.
const STAGE_CHOICES: Readonly<Record<StageChoice, true>> = {
  stem: true,
  layer1: true,
  layer2: true,
  layer3: true,
  layer4: true,
  conv2: true,
  conv3: true,
  conv4: true,
  conv5: true,
  all: true,
};

export function isStageChoice(value: unknown): value is StageChoice {
  return typeof value === 'string' && Object.hasOwn(STAGE_CHOICES, value);
}

/** The query of a link to these settings: only what differs from DEFAULT_SETTINGS, so links stay short. */
export function toSearch(settings: ShareableSettings): URLSearchParams {
  const params = new URLSearchParams();
  if (settings.models.length === 1) params.set('model', settings.models[0]!);
  else if (settings.models.length > 1) params.set('compare', settings.models.join(','));
  if (settings.backend !== DEFAULT_SETTINGS.backend) params.set('backend', settings.backend);
  if (settings.k !== DEFAULT_SETTINGS.k) params.set('k', String(settings.k));
  if (settings.method !== DEFAULT_SETTINGS.method) params.set('method', settings.method);
  if (settings.stage !== null) params.set('stage', settings.stage);
  if (settings.view) params.set('view', settings.view);
  return params;
}

export interface ParsedSearch {
  /** Always valid: every parameter missing or wrong is its default. */
  settings: ShareableSettings;
  /** One sentence per thing in the link that was not used, for the user; empty for a good link. */
  problems: string[];
}

const MODEL_IDS_IN_WORDS = `${VARIANT_IDS.join(', ')}, optionally followed by :weights`;

/**
 * Reads the settings from a query (`?model=resnet34&k=3`, with or without the `?`). Parameters it does not know
 * are someone else's and are ignored silently; a repeated one counts once, its first value.
 */
export function parseSearch(search: string): ParsedSearch {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const read = <T>(name: string, accept: (raw: string) => T | null, expected: string, fallback: string) =>
    readParam(params, problems, name, accept, expected, fallback);

  const models = readModels(params, problems);
  const backend = read(
    'backend',
    (raw) => (isBackendChoice(raw) ? raw : null),
    `one of ${BACKEND_CHOICES.join(', ')}`,
    DEFAULT_SETTINGS.backend,
  );
  const k = read(
    'k',
    (raw) => (/^[0-9]+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_TOP_K ? Number(raw) : null),
    `a number from 1 to ${MAX_TOP_K}`,
    String(DEFAULT_SETTINGS.k),
  );
  const method = read(
    'method',
    (raw) => (isExplainMethod(raw) ? raw : null),
    `one of ${EXPLAIN_METHOD_IDS.join(', ')}`,
    DEFAULT_SETTINGS.method,
  );
  const stage = read(
    'stage',
    (raw) => (isStageChoice(raw) ? raw : null),
    `one of ${Object.keys(STAGE_CHOICES).join(', ')}`,
    "the model's last stage",
  );
  const view = read('view', (raw) => (raw === 'network' ? raw : null), 'network', 'the page as it opens');
  return {
    settings: {
      models,
      backend: backend ?? DEFAULT_SETTINGS.backend,
      k: k ?? DEFAULT_SETTINGS.k,
      method: method ?? DEFAULT_SETTINGS.method,
      stage: stage ?? DEFAULT_SETTINGS.stage,
      ...(view ? { view } : {}),
    },
    problems,
  };
}

/** The parameter's value if it is present, not too long, and `accept`ed; else null, with a problem if present. */
function readParam<T>(
  params: URLSearchParams,
  problems: string[],
  name: string,
  accept: (raw: string) => T | null,
  expected: string,
  fallback: string,
): T | null {
  const raw = params.get(name);
  if (raw === null) return null;
  if (raw.length > MAX_PARAM_LENGTH) {
    problems.push(
      `The link's ${name}= is ${raw.length} characters long (at most ${MAX_PARAM_LENGTH}); using ${fallback}.`,
    );
    return null;
  }
  const value = accept(raw);
  if (value === null)
    problems.push(`The link's ${name}=${shown(raw)} is not ${expected}; using ${fallback}.`);
  return value;
}

/** The ids to compare if `compare=` lists enough of them, else the one `model=` names, else none. */
function readModels(params: URLSearchParams, problems: string[]): string[] {
  const compared = readParam(
    params,
    problems,
    'compare',
    (raw) => readCompareList(raw, problems),
    'a list of models', // never said: every list is accepted, with its own problems
    'no comparison',
  );
  if (compared !== null && compared.length >= MIN_COMPARED) {
    if (params.has('model'))
      problems.push(`The link has both compare= and model=; comparing ${compared.join(', ')}.`);
    return compared;
  }
  const model = readParam(
    params,
    problems,
    'model',
    (raw) => (isModelId(raw) ? raw : null),
    `a model this app knows (${MODEL_IDS_IN_WORDS})`,
    "the app's choice",
  );
  // One usable id left in the list: opening it beats opening nothing, unless model= names one itself.
  const models = model !== null ? [model] : compared?.length === 1 ? compared : [];
  if (compared !== null) {
    problems.push(
      `The link's compare= names ${compared.length === 0 ? 'no model' : `only ${compared[0]}`} this app knows, ` +
        `and comparing needs ${MIN_COMPARED} to ${MAX_COMPARED}; ` +
        `${models.length === 0 ? "using the app's choice" : `opening ${models[0]}`}.`,
    );
  }
  return models;
}

/**
 * The usable ids of a `compare=` list, each once, at most MAX_COMPARED; what it drops is reported. Blanks around
 * ids and empty entries (a trailing comma) are forgiven silently: they are how hand-edited lists look.
 */
function readCompareList(raw: string, problems: string[]): string[] {
  const ids: string[] = [];
  const unknown: string[] = [];
  const repeated = new Set<string>();
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    if (!isModelId(entry)) unknown.push(entry);
    else if (ids.includes(entry)) repeated.add(entry);
    else ids.push(entry);
  }
  if (unknown.length > 0) {
    const one = unknown.length === 1;
    problems.push(
      `The link's compare= names ${shown(unknown.join(', '))}, not ${one ? 'a model' : 'models'} this app ` +
        `knows (${MODEL_IDS_IN_WORDS}); leaving ${one ? 'it' : 'them'} out.`,
    );
  }
  if (repeated.size > 0) {
    problems.push(
      `The link's compare= names ${shown([...repeated].join(', '))} more than once; comparing each once.`,
    );
  }
  if (ids.length > MAX_COMPARED) {
    problems.push(`The link's compare= names ${ids.length} models; comparing the first ${MAX_COMPARED}.`);
  }
  return ids.slice(0, MAX_COMPARED);
}

/** A value from the link as a message shows it: control characters made visible, long ones cut short. */
function shown(raw: string): string {
  const characters = Array.from(raw.replace(/\p{Cc}/gu, '\uFFFD'));
  return characters.length > 40 ? `${characters.slice(0, 40).join('')}…` : characters.join('');
}
