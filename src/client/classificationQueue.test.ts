import { describe, expect, it } from 'vitest';

import type { ClassifyResult, EngineApi, EngineImage } from '../shared/protocol';
import { ClassificationQueue } from './classificationQueue';
import type { QueueHost } from './classificationQueue';
import { EngineFaultError, EngineRetiredError } from './engineClient';

function ok(id: string): ClassifyResult {
  return {
    ok: true,
    variant: 'resnet18',
    predictions: [
      { classIndex: Number(id.replace(/\D/g, '')) || 0, label: id, synonyms: id, probability: 1 },
    ],
    totalMs: 1,
    inferenceMs: 1,
    sourceWidth: 1,
    sourceHeight: 1,
  };
}

interface Call {
  handle: string;
  ids: string[];
  resolve: (results: ClassifyResult[]) => void;
  reject: (err: unknown) => void;
}

/** An engine whose calls wait until the test answers them, and a host that records what it is told. */
function harness() {
  const calls: Call[] = [];
  const engine = {
    classify: (handle: string, images: readonly EngineImage[]) =>
      new Promise<ClassifyResult[]>((resolve, reject) =>
        calls.push({ handle, ids: images.map((i) => i.id), resolve, reject }),
      ),
  } as unknown as EngineApi;
  const log: string[] = [];
  let ready = true;
  const host: QueueHost = {
    readyModel: () => (ready ? { engine, handle: 'model-7' } : null),
    started: (ids) => log.push(`started ${ids.join(',')}`),
    finished: (id, result) => log.push(`finished ${id} ${result.ok ? 'ok' : 'error'}`),
    failed: (id, message, retrying) =>
      log.push(`failed ${id} ${retrying ? 'retrying' : 'final'}: ${message}`),
  };
  const queue = new ClassificationQueue(host, 5);
  const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  const answer = async (call: Call) => {
    call.resolve(call.ids.map(ok));
    await flush();
  };
  return { queue, calls, log, flush, answer, host, setReady: (r: boolean) => (ready = r) };
}

const images = (...ids: string[]) => ids.map((id) => ({ id, blob: new Blob([id]) }));

describe('ClassificationQueue', () => {
  it('classifies in order, four to an engine call, one call at a time', async () => {
    const { queue, calls, log, flush, answer } = harness();
    queue.add(images('a1', 'a2', 'a3', 'a4', 'a5', 'a6'));
    queue.add(images('b7'));
    await flush();
    expect(calls.map((c) => c.ids)).toEqual([['a1', 'a2', 'a3', 'a4']]);
    expect(calls[0]!.handle).toBe('model-7');
    expect(queue.size).toBe(7);
    await answer(calls[0]!);
    expect(calls.map((c) => c.ids)).toEqual([
      ['a1', 'a2', 'a3', 'a4'],
      ['a5', 'a6', 'b7'],
    ]);
    await answer(calls[1]!);
    await queue.idle();
    expect(log).toEqual([
      'started a1,a2,a3,a4',
      'finished a1 ok',
      'finished a2 ok',
      'finished a3 ok',
      'finished a4 ok',
      'started a5,a6,b7',
      'finished a5 ok',
      'finished a6 ok',
      'finished b7 ok',
    ]);
    expect(queue.size).toBe(0);
  });

  it('waits while no model is ready, and continues on resume', async () => {
    const { queue, calls, flush, setReady } = harness();
    setReady(false);
    queue.add(images('a1'));
    await flush();
    expect(calls).toHaveLength(0);
    setReady(true);
    queue.resume();
    await flush();
    expect(calls.map((c) => c.ids)).toEqual([['a1']]);
  });

  it('cancels what is waiting; the batch with the engine finishes', async () => {
    const { queue, calls, log, flush, answer } = harness();
    queue.add(images('a1', 'a2', 'a3', 'a4', 'a5', 'a6'));
    await flush();
    expect(queue.cancelPending()).toEqual(['a5', 'a6']);
    await answer(calls[0]!);
    await queue.idle();
    expect(calls).toHaveLength(1);
    expect(log.filter((l) => l.startsWith('finished'))).toHaveLength(4);
  });

  it('retries the images of an engine fault once, first, on the next engine; a second fault is final', async () => {
    const { queue, calls, log, flush } = harness();
    queue.add(images('a1', 'a2', 'a3', 'a4', 'a5'));
    await flush();
    calls[0]!.reject(new EngineFaultError('worker died'));
    await flush();
    // The queue stops: the engine is being replaced, and the restart resumes it.
    expect(calls).toHaveLength(1);
    expect(log.slice(1)).toEqual([
      'failed a1 retrying: worker died',
      'failed a2 retrying: worker died',
      'failed a3 retrying: worker died',
      'failed a4 retrying: worker died',
    ]);
    queue.resume();
    await flush();
    expect(calls[1]!.ids).toEqual(['a1', 'a2', 'a3', 'a4']);
    calls[1]!.reject(new EngineFaultError('worker died again'));
    await flush();
    expect(log.slice(-4)).toEqual([
      'failed a1 final: The engine failed twice while classifying this image: worker died again',
      'failed a2 final: The engine failed twice while classifying this image: worker died again',
      'failed a3 final: The engine failed twice while classifying this image: worker died again',
      'failed a4 final: The engine failed twice while classifying this image: worker died again',
    ]);
    queue.resume();
    await flush();
    expect(calls[2]!.ids).toEqual(['a5']);
  });

  it('fails a batch on an ordinary error without retrying, and goes on with the next', async () => {
    const { queue, calls, log, flush } = harness();
    queue.add(images('a1', 'a2', 'a3', 'a4', 'a5'));
    await flush();
    calls[0]!.reject(new Error('out of memory'));
    await flush();
    expect(log.slice(1, 5)).toEqual([
      'failed a1 final: out of memory',
      'failed a2 final: out of memory',
      'failed a3 final: out of memory',
      'failed a4 final: out of memory',
    ]);
    expect(calls[1]!.ids).toEqual(['a5']);
  });

  it('throws away answers for images asked for again (the model changed), and classifies them anew', async () => {
    const { queue, calls, log, flush, answer } = harness();
    queue.add(images('a1', 'a2'));
    await flush();
    queue.restart(images('a1', 'a2'));
    await answer(calls[0]!);
    expect(log).toEqual(['started a1,a2', 'started a1,a2']);
    await answer(calls[1]!);
    expect(log.slice(2)).toEqual(['finished a1 ok', 'finished a2 ok']);
  });

  it('does not report an image removed while the engine had it', async () => {
    const { queue, calls, log, flush, answer } = harness();
    queue.add(images('a1', 'a2', 'a3'));
    await flush();
    queue.remove('a2');
    await answer(calls[0]!);
    expect(log).toEqual(['started a1,a2,a3', 'finished a1 ok', 'finished a3 ok']);
  });

  it('starts again for an image added after it went idle', async () => {
    const { queue, calls, flush, answer } = harness();
    queue.add(images('a1'));
    await flush();
    await answer(calls[0]!);
    await queue.idle();
    queue.add(images('a2'));
    await flush();
    expect(calls.map((c) => c.ids)).toEqual([['a1'], ['a2']]);
  });
});

describe('ClassificationQueue, with a host that draws', () => {
  it('sends a batch only once the page has drawn it as started', async () => {
    const { queue, calls, log, flush, answer, host } = harness();
    let draw: () => void = () => undefined;
    host.drawn = () => new Promise<void>((resolve) => (draw = resolve));
    queue.add(images('a', 'b'));
    await flush();
    expect(log).toEqual(['started a,b']);
    expect(calls).toHaveLength(0);
    draw();
    await flush();
    expect(calls.map((c) => c.ids)).toEqual([['a', 'b']]);
    await answer(calls[0]!);
    expect(log).toEqual(['started a,b', 'finished a ok', 'finished b ok']);
  });
});

describe('ClassificationQueue, engine retired', () => {
  it('puts a batch whose engine was replaced on purpose back first, without counting it as a fault', async () => {
    const { queue, calls, log, flush } = harness();
    queue.add(images('a1', 'a2', 'a3', 'a4', 'a5'));
    await flush();
    calls[0]!.reject(new EngineRetiredError());
    await flush();
    expect(calls).toHaveLength(1); // waits for the new engine
    expect(log.filter((l) => l.includes('retrying'))).toHaveLength(4);
    queue.resume();
    await flush();
    expect(calls[1]!.ids).toEqual(['a1', 'a2', 'a3', 'a4']);
    // A real fault after that still gets its one retry: the replacement was not counted.
    calls[1]!.reject(new EngineFaultError('worker died'));
    await flush();
    expect(log.slice(-4).every((l) => l.includes('retrying'))).toBe(true);
  });
});
