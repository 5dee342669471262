import { beforeEach, describe, expect, it, vi } from 'vitest';

import { deferred, fakeEngine, flush } from '../testing/fakeEngine';
import type { FakeEngine } from '../testing/fakeEngine';
import { createAppStore } from './index';
import type { AppStore } from './index';

let store: AppStore;
let fake: FakeEngine;

beforeEach(async () => {
  fake = fakeEngine();
  store = createAppStore({ engine: fake.engine });
  store.setState({ modelStatus: 'ready', modelHandle: fake.adoptModel() });
});

const card = (id: string) => store.getState().images.find((img) => img.id === id);

function addImage(name: string): string {
  store.getState().addImages([new File([name], name, { type: 'image/jpeg' })]);
  return store.getState().images.at(-1)!.id;
}

describe("a card's thumbnail", () => {
  it('is asked for after the answer is shown, and comes from the engine', async () => {
    const thumbnail = deferred<Blob | null>();
    fake.engine.thumbnail.mockReturnValueOnce(thumbnail.promise);
    const id = addImage('cat.jpg');
    await flush();
    // The answer is on the card before the thumbnail exists: encoding it never delays the answer.
    expect(card(id)?.status).toBe('done');
    expect(card(id)?.thumbUrl).toBeNull();
    expect(fake.engine.thumbnail).toHaveBeenCalledWith(id);
    thumbnail.resolve(new Blob(['jpeg'], { type: 'image/jpeg' }));
    await flush();
    expect(card(id)?.thumbUrl).toMatch(/^blob:/);
  });

  it('is not asked for again when the card is classified again (same image), nor kept for a removed card', async () => {
    fake.engine.thumbnail.mockResolvedValueOnce(new Blob(['jpeg'], { type: 'image/jpeg' }));
    const kept = addImage('kept.jpg');
    await flush();
    expect(card(kept)?.thumbUrl).toMatch(/^blob:/);
    store.getState().reclassifyAll();
    await flush();
    expect(fake.engine.thumbnail).toHaveBeenCalledTimes(1);

    const late = deferred<Blob | null>();
    fake.engine.thumbnail.mockReturnValueOnce(late.promise);
    const removed = addImage('removed.jpg');
    await flush();
    store.getState().removeImage(removed);
    const createObjectURL = vi.spyOn(URL, 'createObjectURL');
    late.resolve(new Blob(['jpeg'], { type: 'image/jpeg' }));
    await flush();
    expect(createObjectURL).not.toHaveBeenCalled();
  });

  it('stays a placeholder when the engine is gone before it is made', async () => {
    fake.engine.thumbnail.mockRejectedValueOnce(new Error('The engine was retired.'));
    const id = addImage('cat.jpg');
    await flush();
    expect(card(id)?.status).toBe('done');
    expect(card(id)?.thumbUrl).toBeNull();
  });
});
