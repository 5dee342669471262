import { describe, expect, it } from 'vitest';

import { Models } from './models';

function model(name: string, freed: string[]) {
  return { name, dispose: () => freed.push(name) };
}

describe('Models', () => {
  it('frees a model with its handle when nothing runs on it', () => {
    const freed: string[] = [];
    const models = new Models<ReturnType<typeof model>>();
    models.add('a', model('a', freed));
    expect(models.get('a')?.name).toBe('a');
    models.release('a');
    models.release('a');
    expect(models.get('a')).toBeUndefined();
    expect(freed).toEqual(['a']);
  });

  it('keeps a backbone whose handle was released until the last taught model on it goes', () => {
    const freed: string[] = [];
    const models = new Models<ReturnType<typeof model>>();
    models.add('backbone', model('backbone', freed));
    models.add('taught-1', model('taught-1', freed), 'backbone');
    models.add('taught-2', model('taught-2', freed), 'backbone');
    models.release('backbone');
    expect(models.get('backbone')).toBeUndefined();
    expect(models.get('taught-1')?.name).toBe('taught-1');
    expect(freed).toEqual([]);
    models.release('taught-1');
    expect(freed).toEqual(['taught-1']);
    models.release('taught-2');
    expect(freed).toEqual(['taught-1', 'taught-2', 'backbone']);
  });

  it('frees a taught model alone while its backbone is loaded, and refuses to build on a released one', () => {
    const freed: string[] = [];
    const models = new Models<ReturnType<typeof model>>();
    models.add('backbone', model('backbone', freed));
    models.add('taught', model('taught', freed), 'backbone');
    models.release('taught');
    expect(freed).toEqual(['taught']);
    expect(models.get('backbone')?.name).toBe('backbone');
    models.release('backbone');
    expect(freed).toEqual(['taught', 'backbone']);
    expect(() => models.add('late', model('late', freed), 'backbone')).toThrow(/not loaded/);
    expect(() => models.add('x', model('x', freed), 'never')).toThrow(/not loaded/);
  });

  it('frees everything on clear, released-but-used backbones included', () => {
    const freed: string[] = [];
    const models = new Models<ReturnType<typeof model>>();
    models.add('backbone', model('backbone', freed));
    models.add('taught', model('taught', freed), 'backbone');
    models.release('backbone');
    models.clear();
    expect(freed.sort()).toEqual(['backbone', 'taught']);
    expect(models.get('taught')).toBeUndefined();
  });
});
