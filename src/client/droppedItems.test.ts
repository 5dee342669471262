import { describe, expect, it } from 'vitest';

import {
  imagesInDirectories,
  imagesInPickedFolder,
  isHiddenPath,
  linkFromText,
  looksLikeImage,
  snapshotDrop,
  splitLooseFiles,
} from './droppedItems';
import { fakeDataTransfer, fakeDirectory, fakeFile } from '../testing/droppedEntries';
import type { Tree } from '../testing/droppedEntries';
import type { DirectoryEntryLike } from './droppedItems';

/** How often each fake file was opened, by path: the walker should open only the images it takes. */
let opened: string[] = [];
const onOpen = (path: string) => opened.push(path);

const PHOTOS: Tree = {
  'cat 10.jpg': 'c10',
  'cat 2.jpg': 'c2',
  '.DS_Store': 'x',
  'notes.txt': 'x',
  tabby: { 'a.png': 'a', 'b.webp': 'b', '.hidden.jpg': 'h', deeper: { 'z.JPEG': 'z', 'readme.md': 'r' } },
  '.git': { 'objects.jpg': 'never' },
  empty: {},
};

describe('walking dropped folders', () => {
  it('takes every image in every subfolder, in path order, each with its path inside the drop', async () => {
    opened = [];
    const found = await imagesInDirectories([fakeDirectory('photos', PHOTOS, { onOpen })]);
    expect(found.images.map((f) => f.relativePath)).toEqual([
      'photos/cat 2.jpg',
      'photos/cat 10.jpg',
      'photos/tabby/a.png',
      'photos/tabby/b.webp',
      'photos/tabby/deeper/z.JPEG',
    ]);
    expect(found.images.map((f) => f.file.name)).toEqual([
      'cat 2.jpg',
      'cat 10.jpg',
      'a.png',
      'b.webp',
      'z.JPEG',
    ]);
    expect(await found.images[0]!.file.text()).toBe('c2');
    expect(found.found).toBe(5);
    // .DS_Store, notes.txt, .hidden.jpg, readme.md; nothing inside .git is even listed.
    expect(found.skipped).toBe(4);
    expect(opened.some((p) => p.includes('.git') || p.includes('notes'))).toBe(false);
  });

  it('reads a directory until readEntries returns an empty batch', async () => {
    const many: Tree = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`img${i}.jpg`, String(i)]));
    const found = await imagesInDirectories([fakeDirectory('big', many, { batch: 100, onOpen })]);
    expect(found.found).toBe(250);
    expect(found.images[0]!.relativePath).toBe('big/img0.jpg');
    expect(found.images.at(-1)!.relativePath).toBe('big/img249.jpg');
  });

  it('takes the first images up to the limit, opening only those', async () => {
    opened = [];
    const many: Tree = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`img${i}.jpg`, String(i)]));
    const found = await imagesInDirectories([fakeDirectory('big', many, { onOpen })], 10);
    expect(found.found).toBe(30);
    expect(found.images).toHaveLength(10);
    expect(found.images.map((f) => f.relativePath).at(-1)).toBe('big/img9.jpg');
    expect(opened).toHaveLength(10);
  });

  it('walks several dropped folders and counts what it could not read', async () => {
    const broken: DirectoryEntryLike = {
      name: 'locked',
      fullPath: '/locked',
      isFile: false,
      isDirectory: true,
      createReader: () => ({ readEntries: (_success, failure) => failure?.(new Error('NotReadableError')) }),
    };
    const found = await imagesInDirectories([
      fakeDirectory('b', { 'x.gif': 'x' }),
      broken,
      fakeDirectory('a', { 'y.bmp': 'y' }),
    ]);
    expect(found.images.map((f) => f.relativePath)).toEqual(['a/y.bmp', 'b/x.gif']);
    expect(found.unreadable).toBe(1);
  });
});

describe('a folder picked with webkitdirectory', () => {
  const picked = (relativePath: string, type = '') => {
    const file = new File(['x'], relativePath.split('/').at(-1)!, { type });
    Object.defineProperty(file, 'webkitRelativePath', { value: relativePath });
    return file;
  };

  it('keeps the images with their paths, in path order, and leaves out hidden files and the rest', () => {
    const found = imagesInPickedFolder([
      picked('photos/tabby/b.jpg', 'image/jpeg'),
      picked('photos/a.heic'),
      picked('photos/.thumbs/a.jpg', 'image/jpeg'),
      picked('photos/list.csv', 'text/csv'),
      picked('photos/noext', 'image/png'),
    ]);
    expect(found.images.map((f) => f.relativePath)).toEqual([
      'photos/a.heic',
      'photos/noext',
      'photos/tabby/b.jpg',
    ]);
    expect(found.skipped).toBe(2);
  });

  it('takes at most the limit', () => {
    const files = Array.from({ length: 12 }, (_, i) => picked(`p/${i}.png`, 'image/png'));
    const found = imagesInPickedFolder(files, 5);
    expect(found.found).toBe(12);
    expect(found.images.map((f) => f.relativePath)).toEqual([
      'p/0.png',
      'p/1.png',
      'p/2.png',
      'p/3.png',
      'p/4.png',
    ]);
  });
});

describe('what a drop carries', () => {
  it('separates folders from loose files', () => {
    const folder = fakeDirectory('photos', {});
    const loose = new File(['x'], 'cat.jpg');
    const snapshot = snapshotDrop(
      fakeDataTransfer([
        { file: new File([], 'photos'), entry: folder },
        { file: loose, entry: fakeFile('cat.jpg', 'x') },
      ]),
    );
    expect(snapshot.directories).toEqual([folder]);
    expect(snapshot.files).toEqual([loose]);
    expect(snapshot.url).toBeNull();
  });

  it('takes a link from another page only when nothing else came', () => {
    expect(
      snapshotDrop(fakeDataTransfer([], { 'text/uri-list': '# comment\r\nhttps://a.example/cat.jpg\r\n' }))
        .url,
    ).toBe('https://a.example/cat.jpg');
    expect(snapshotDrop(fakeDataTransfer([], { 'text/plain': ' http://a.example/x.png ' })).url).toBe(
      'http://a.example/x.png',
    );
    expect(snapshotDrop(fakeDataTransfer([], { 'text/plain': 'just some words' })).url).toBeNull();
    expect(snapshotDrop(fakeDataTransfer([], { 'text/uri-list': 'file:///home/me/cat.jpg' })).url).toBeNull();
    const withFile = fakeDataTransfer([{ file: new File(['x'], 'cat.jpg'), entry: null }], {
      'text/uri-list': 'https://a.example/cat.jpg',
    });
    expect(snapshotDrop(withFile)).toMatchObject({ url: null, files: [expect.any(File)] });
  });

  it('sends weight files to the weights and everything else to the images, as always', () => {
    const files = ['a.safetensors', 'b.pth', 'c.jpg', 'model.json', 'd.txt'].map((n) => new File(['x'], n));
    const split = splitLooseFiles(files);
    expect(split.weights.map((f) => f.name)).toEqual(['a.safetensors', 'b.pth', 'model.json']);
    expect(split.images.map((f) => f.name)).toEqual(['c.jpg', 'd.txt']);
  });
});

describe('small judgements', () => {
  it('knows an image by its type or its name', () => {
    expect(looksLikeImage({ name: 'x', type: 'image/png' })).toBe(true);
    for (const name of [
      'a.jpg',
      'a.JPEG',
      'a.png',
      'a.webp',
      'a.avif',
      'a.gif',
      'a.svg',
      'a.heic',
      'a.tif',
    ]) {
      expect(looksLikeImage({ name }), name).toBe(true);
    }
    for (const name of ['a.txt', 'a.jpg.txt', 'jpg', 'a.safetensors'])
      expect(looksLikeImage({ name }), name).toBe(false);
  });

  it('knows a hidden path', () => {
    expect(isHiddenPath('photos/.git/a.jpg')).toBe(true);
    expect(isHiddenPath('.DS_Store')).toBe(true);
    expect(isHiddenPath('photos/a.b/c.jpg')).toBe(false);
  });

  it('reads a link from text only when it is one http(s) address', () => {
    expect(linkFromText('', 'https://a.example/a b.jpg')).toBeNull();
    expect(linkFromText('https://a.example/1.jpg\nhttps://a.example/2.jpg', '')).toBe(
      'https://a.example/1.jpg',
    );
  });
});
