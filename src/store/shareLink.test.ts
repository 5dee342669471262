import { describe, expect, it, vi } from 'vitest';

import type { CachedWeights } from '../client/weightsCache';
import { WEIGHTS_PRESETS } from '../client/weightPresets';
import { parseSearch } from '../shared/permalink';
import type { ModelSummary } from '../shared/modelSummary';
import { addressAfterLink, shareUrl, shareableSettings, startFromLink } from './shareLink';
import type { AppState } from './types';

/** The part of the store startFromLink drives, recording every call. */
function fakeStore(options: { cached?: CachedWeights[]; ready?: boolean } = {}) {
  const state = {
    modelStatus: options.ready === false ? 'error' : 'ready',
    cachedWeights: options.cached ?? [],
    addLinkProblems: vi.fn<(problems: readonly string[]) => void>(),
    setTopK: vi.fn<(k: number) => void>(),
    setExplainMethod: vi.fn(),
    setExplainStage: vi.fn(),
    setRequestedCompare: vi.fn<(ids: readonly string[]) => void>(),
    startApp: vi.fn(async () => undefined),
    refreshCachedWeights: vi.fn(async () => undefined),
    loadCachedWeights: vi.fn(async () => undefined),
    loadWeightsFromUrl: vi.fn(async () => undefined),
    openNetwork: vi.fn(),
  };
  return { state, store: { getState: () => state as unknown as AppState } };
}

async function start(href: string, options?: Parameters<typeof fakeStore>[0]) {
  const fake = fakeStore(options);
  const replaced: string[] = [];
  await startFromLink(fake.store, href, (next) => replaced.push(next));
  return { ...fake.state, replaced };
}

describe('starting from a link', () => {
  it('applies every setting of a shared link, then leaves only model and backend in the address bar', async () => {
    const s = await start(
      'http://127.0.0.1:4173/?model=resnet34&backend=wasm&k=3&method=layercam&stage=layer3',
    );
    expect(s.startApp).toHaveBeenCalledWith({ backend: 'wasm', variant: 'resnet34' });
    expect(s.setTopK).toHaveBeenCalledWith(3);
    expect(s.setExplainMethod).toHaveBeenCalledWith('layercam');
    expect(s.setExplainStage).toHaveBeenCalledWith('layer3');
    expect(s.setRequestedCompare).toHaveBeenCalledWith([]);
    expect(s.addLinkProblems).toHaveBeenCalledWith([]);
    expect(s.replaced).toEqual(['http://127.0.0.1:4173/?model=resnet34&backend=wasm']);
  });

  it('opens the Network view for view=network, and takes view= out of the address bar', async () => {
    const s = await start('http://x/?model=resnet18&view=network');
    expect(s.openNetwork).toHaveBeenCalledTimes(1);
    expect(s.replaced).toEqual(['http://x/?model=resnet18']);
    expect((await start('http://x/?model=resnet18')).openNetwork).not.toHaveBeenCalled();
  });

  it('keeps ?model= and ?backend= working as before, and a plain visit leaves the model to the app', async () => {
    const s = await start('http://x/?model=resnet18&backend=webgl');
    expect(s.startApp).toHaveBeenCalledWith({ backend: 'webgl', variant: 'resnet18' });
    expect(s.setTopK).toHaveBeenCalledWith(5);
    expect(s.setExplainMethod).toHaveBeenCalledWith('gradcam');
    expect(s.setExplainStage).not.toHaveBeenCalled();
    expect(s.replaced).toEqual([]);

    const plain = await start('http://x/');
    expect(plain.startApp).toHaveBeenCalledWith({ backend: 'auto', variant: null });
  });

  it('falls back to the defaults for a tampered link and reports each problem', async () => {
    const href = 'http://x/?model=vgg16&backend=cuda&k=999&method=lime&stage=fc';
    const s = await start(href);
    expect(s.startApp).toHaveBeenCalledWith({ backend: 'auto', variant: null });
    expect(s.setTopK).toHaveBeenCalledWith(5);
    expect(s.setExplainMethod).toHaveBeenCalledWith('gradcam');
    expect(s.addLinkProblems).toHaveBeenCalledWith(parseSearch(new URL(href).search).problems);
    expect(s.addLinkProblems.mock.calls[0]![0]).toHaveLength(5);
    // What could not be used leaves the address bar too: a reload is a plain visit.
    expect(s.replaced).toEqual(['http://x/']);
  });

  it('hands the models to compare to compare mode and opens on the first', async () => {
    const s = await start('http://x/?compare=resnet34,resnet18:resnet18.tv_in1k&k=2');
    expect(s.setRequestedCompare).toHaveBeenCalledWith(['resnet34', 'resnet18:resnet18.tv_in1k']);
    expect(s.startApp).toHaveBeenCalledWith({ backend: 'auto', variant: 'resnet34' });
    expect(s.loadCachedWeights).not.toHaveBeenCalled();
    expect(s.replaced).toEqual(['http://x/']);
  });

  it("restores a link's weights from the cache, else from the preset with that name", async () => {
    const cached: CachedWeights = {
      id: 'file:my weights.pth',
      name: 'my weights.pth',
      source: 'file',
      bytes: 1,
      cachedAt: '',
      fileNames: ['my weights.pth'],
    };
    const fromCache = await start('http://x/?model=resnet18:my-weights.pth', { cached: [cached] });
    expect(fromCache.startApp).toHaveBeenCalledWith({ backend: 'auto', variant: 'resnet18' });
    expect(fromCache.loadCachedWeights).toHaveBeenCalledWith('file:my weights.pth');
    expect(fromCache.replaced).toEqual(['http://x/?model=resnet18']);

    const fromPreset = await start('http://x/?model=resnet34:resnet34.tv_in1k');
    expect(fromPreset.loadWeightsFromUrl).toHaveBeenCalledWith(
      WEIGHTS_PRESETS.find((p) => p.id === 'resnet34-tv')!.url,
    );
  });

  it('says when the weights a link names are not to be had, and leaves the seeded model', async () => {
    const s = await start('http://x/?model=resnet18:elsewhere.pth');
    expect(s.loadCachedWeights).not.toHaveBeenCalled();
    expect(s.loadWeightsFromUrl).not.toHaveBeenCalled();
    expect(s.addLinkProblems).toHaveBeenLastCalledWith([
      expect.stringMatching(/resnet18:elsewhere\.pth names weights this browser does not have/),
    ]);
    // Nothing to restore on a model that did not load.
    const failed = await start('http://x/?model=resnet18:elsewhere.pth', { ready: false });
    expect(failed.refreshCachedWeights).not.toHaveBeenCalled();
  });
});

const summary = (variant: ModelSummary['variant']) => ({ variant }) as ModelSummary;

function shareState(patch: Partial<AppState> = {}): AppState {
  return {
    variant: 'resnet18',
    summary: summary('resnet18'),
    weights: { origin: 'random', name: 'random init (seed 42)' },
    backendChoice: 'auto',
    topK: 5,
    explainMethod: 'gradcam',
    explainStageChoice: null,
    requestedCompare: [],
    compareMode: false,
    comparedIds: [],
    ...patch,
  } as AppState;
}

describe('the link to share', () => {
  it('names the shown model and every setting that differs from the defaults, never the images', () => {
    expect(shareUrl(shareState(), 'http://127.0.0.1:4173/?model=resnet18#x')).toBe(
      'http://127.0.0.1:4173/?model=resnet18',
    );
    const state = shareState({
      summary: summary('resnet34'),
      weights: {
        origin: 'url',
        name: 'https://huggingface.co/timm/resnet34.tv_in1k/resolve/main/model.safetensors',
      },
      backendChoice: 'wasm',
      topK: 3,
      explainMethod: 'scorecam',
      explainStageChoice: 'layer2',
    });
    const link = new URL(shareUrl(state, 'https://lens.example/app/?utm=1'));
    expect(link.pathname).toBe('/app/');
    expect([...link.searchParams]).toEqual([
      ['model', 'resnet34:resnet34.tv_in1k'],
      ['backend', 'wasm'],
      ['k', '3'],
      ['method', 'scorecam'],
      ['stage', 'layer2'],
    ]);
    // What the link says is what a page opened from it reads.
    expect(parseSearch(link.search)).toEqual({ settings: shareableSettings(state), problems: [] });
  });

  it('names the model being loaded when none is loaded yet', () => {
    expect(shareableSettings(shareState({ summary: null, variant: 'resnet50' })).models).toEqual([
      'resnet50',
    ]);
  });

  it('lists the compared models when comparing, or those a link asked for until compare mode takes them', () => {
    const asked = shareState({ requestedCompare: ['resnet18', 'resnet50'] });
    expect(new URL(shareUrl(asked, 'http://x/')).search).toBe('?compare=resnet18%2Cresnet50');
    const comparing = shareState({ compareMode: true, comparedIds: ['resnet34', 'resnet18:w.pth'] });
    expect(shareableSettings(comparing).models).toEqual(['resnet34', 'resnet18:w.pth']);
    expect(new URL(shareUrl(shareState({ networkOpen: true }), 'http://x/')).search).toBe(
      '?model=resnet18&view=network',
    );
    // Compare mode with one model chosen compares nothing yet: the link names the shown model.
    expect(shareableSettings(shareState({ compareMode: true, comparedIds: ['resnet34'] })).models).toEqual([
      'resnet18',
    ]);
  });
});

describe('the address after a link', () => {
  it('drops the link-only parameters, keeps the rest, and says model and backend as opened', () => {
    const none = { variant: null, backend: 'auto' } as const;
    expect(addressAfterLink('http://x/?a=1&k=3&method=ig&stage=all&compare=resnet18,resnet34', none)).toBe(
      'http://x/?a=1',
    );
    expect(
      addressAfterLink('http://x/?model=resnet18:w.pth&backend=cpu', { variant: 'resnet18', backend: 'cpu' }),
    ).toBe('http://x/?model=resnet18&backend=cpu');
    expect(addressAfterLink('http://x/?backend=auto&model=nope', none)).toBe('http://x/');
  });
});
