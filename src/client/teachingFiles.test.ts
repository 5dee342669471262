import { describe, expect, it } from 'vitest';

import { teachingFilesOfDrop } from './teachingFiles';
import { teachingFolder } from './teachingFolder';
import { fakeDirectory } from '../testing/droppedEntries';

describe('teachingFilesOfDrop', () => {
  it('keeps every file of a dropped folder with its path, non-images too, so teaching can list them', async () => {
    const pets = fakeDirectory('pets', {
      cat: { 'a.jpg': 'a', 'b.jpg': 'b', 'notes.txt': 'n' },
      dog: { 'c.png': 'c', deeper: { 'd.png': 'd' } },
      '.git': { 'x.jpg': 'never' },
    });
    const files = await teachingFilesOfDrop({ directories: [pets], files: [], url: null });
    expect(files.map((f) => f.path).sort()).toEqual([
      'pets/cat/a.jpg',
      'pets/cat/b.jpg',
      'pets/cat/notes.txt',
      'pets/dog/c.png',
      'pets/dog/deeper/d.png',
    ]);
    const folder = teachingFolder(files);
    expect(folder.rootName).toBe('pets');
    expect(folder.classes.map((c) => [c.name, c.files.length])).toEqual([
      ['cat', 2],
      ['dog', 2],
    ]);
    expect(folder.skipped).toEqual([{ path: 'pets/cat/notes.txt', reason: 'not an image' }]);
  });

  it('takes loose files by their names: outside any class folder', async () => {
    const file = new File(['x'], 'a.jpg', { type: 'image/jpeg' });
    const files = await teachingFilesOfDrop({ directories: [], files: [file], url: null });
    expect(teachingFolder(files).skipped).toEqual([{ path: 'a.jpg', reason: 'not inside a class folder' }]);
  });
});
