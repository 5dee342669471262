import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { fakeDataTransfer, fakeDirectory } from '../testing/droppedEntries';
import { folderNotice } from './intakeSlice';
import { createAppStore } from './index';
import type { AppStore } from './index';

let store: AppStore;

beforeEach(async () => {
  vi.stubGlobal('window', { location: { href: 'http://127.0.0.1/' } });
  // A fresh store per test, built as the app builds it; no engine, so nothing is classified.
  store = createAppStore();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function pickedFile(relativePath: string): File {
  const file = new File(['x'], relativePath.split('/').at(-1)!, { type: 'image/jpeg' });
  Object.defineProperty(file, 'webkitRelativePath', { value: relativePath });
  return file;
}

describe('taking images in', () => {
  it('keeps the path of each image of a picked folder; a loose file has none', () => {
    store.getState().addPickedFolder([pickedFile('photos/tabby/a.jpg'), pickedFile('photos/b.jpg')]);
    store.getState().addImages([new File(['x'], 'loose.jpg')]);
    expect(store.getState().images.map((i) => [i.fileName, i.relativePath])).toEqual([
      ['b.jpg', 'photos/b.jpg'],
      ['a.jpg', 'photos/tabby/a.jpg'],
      ['loose.jpg', null],
    ]);
    expect(store.getState().intakeNotice).toBeNull();
  });

  it('walks a dropped folder next to loose files, and says what it left out', async () => {
    await store.getState().addDrop(
      fakeDataTransfer([
        {
          file: new File([], 'photos'),
          entry: fakeDirectory('photos', { 'a.jpg': 'x', 'notes.txt': 'x', '.DS_Store': 'x' }),
        },
        { file: new File(['x'], 'loose.png'), entry: null },
      ]),
    );
    expect(store.getState().images.map((i) => [i.fileName, i.relativePath])).toEqual([
      ['loose.png', null],
      ['a.jpg', 'photos/a.jpg'],
    ]);
    expect(store.getState().intakeNotice).toBe('2 files (hidden, or not images) were left out.');
  });

  it('loads an image from an address, and keeps the reason when a host will not share it', async () => {
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), { headers: { 'content-type': 'image/jpeg' } }),
    );
    await store
      .getState()
      .addDrop(fakeDataTransfer([], { 'text/uri-list': 'https://images.example/cat.jpg' }));
    expect(store.getState().images.map((i) => [i.fileName, i.relativePath])).toEqual([['cat.jpg', null]]);
    expect(store.getState().urlIntake).toEqual({ status: 'idle', url: null, error: null });

    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    await store.getState().addImageFromUrl('https://no-cors.example/cat.jpg');
    expect(store.getState().urlIntake).toMatchObject({
      status: 'error',
      url: 'https://no-cors.example/cat.jpg',
      error: { code: 'cors' },
    });
    store.getState().dismissUrlError();
    expect(store.getState().urlIntake.status).toBe('idle');
    expect(store.getState().images).toHaveLength(1);
  });
});

describe('the folder notice', () => {
  it('says when the limit cut the folder, and how many files were left out', () => {
    const images = Array.from({ length: 3 }, (_, i) => ({
      file: new File([], `${i}.jpg`),
      relativePath: `${i}.jpg`,
    }));
    expect(folderNotice({ images, found: 2345, skipped: 1, unreadable: 0 }, 3)).toBe(
      'The folder holds 2,345 images; the first 3 images in path order were taken. Drop the rest as a folder of its own to classify them. 1 file (hidden, or not an image) was left out.',
    );
    expect(folderNotice({ images, found: 3, skipped: 0, unreadable: 0 }, 3)).toBeNull();
    expect(folderNotice({ images: [], found: 0, skipped: 0, unreadable: 2 })).toBe(
      '2 entries could not be read.',
    );
  });
});
