import { describe, expect, it } from 'vitest';

import { teachingFolder } from './teachingFolder';

const file = (path: string, type?: string) => ({
  path,
  name: path.split('/').at(-1)!,
  ...(type ? { type } : {}),
});

describe('teachingFolder', () => {
  it('reads the classes as the folders inside the one folder picked, images at any depth', () => {
    const folder = teachingFolder([
      file('pets/cat/a.jpg'),
      file('pets/dog/b.png'),
      file('pets/cat/2024/c.webp'),
      file('pets/dog/d', 'image/jpeg'),
    ]);
    expect(folder.rootName).toBe('pets');
    expect(folder.classes).toEqual([
      { name: 'cat', files: [0, 2] },
      { name: 'dog', files: [1, 3] },
    ]);
    expect(folder.skipped).toEqual([]);
  });

  it('takes the first folder as the class when the class folders themselves are dropped', () => {
    const folder = teachingFolder([file('cat/a.jpg'), file('dog/b.jpg'), file('dog/sub/c.jpg')]);
    expect(folder.rootName).toBeNull();
    expect(folder.classes).toEqual([
      { name: 'cat', files: [0] },
      { name: 'dog', files: [1, 2] },
    ]);
  });

  it('lists what cannot take part, with the reason, and leaves hidden files out without a word', () => {
    const folder = teachingFolder([
      file('pets/cat/a.jpg'),
      file('pets/notes.txt'),
      file('pets/cat/readme.md'),
      file('pets/loose.jpg'),
      file('pets/.DS_Store'),
      file('pets/cat/.thumbs/x.jpg'),
      file('pets/dog/b.jpg'),
    ]);
    expect(folder.classes.map((c) => c.name)).toEqual(['cat', 'dog']);
    expect(folder.skipped).toEqual([
      { path: 'pets/notes.txt', reason: 'not an image' },
      { path: 'pets/cat/readme.md', reason: 'not an image' },
      { path: 'pets/loose.jpg', reason: 'not inside a class folder' },
    ]);
  });

  it('a folder of images with no class folders gives no classes, every image listed', () => {
    const folder = teachingFolder([file('holiday/a.jpg'), file('holiday/b.jpg')]);
    expect(folder.classes).toEqual([]);
    expect(folder.skipped.map((s) => s.reason)).toEqual([
      'not inside a class folder',
      'not inside a class folder',
    ]);
  });
});
