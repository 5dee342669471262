import { describe, expect, it } from 'vitest';

import { ambiguousLabels, classFromFolderName, labelFromPath } from './folderLabels';

describe('a folder name as a class', () => {
  it('matches the label the app shows, ignoring case, underscores for spaces and surrounding blanks', () => {
    expect(classFromFolderName('tabby')).toBe(281);
    expect(classFromFolderName('TABBY')).toBe(281);
    expect(classFromFolderName('  Tabby ')).toBe(281);
    expect(classFromFolderName('German shepherd')).toBe(235);
    expect(classFromFolderName('german_shepherd')).toBe(235);
    expect(classFromFolderName('Granny_Smith')).toBe(948);
    expect(classFromFolderName('toilet_tissue')).toBe(999);
  });

  it('does not match synonyms or near misses', () => {
    expect(classFromFolderName('tabby cat')).toBeNull();
    expect(classFromFolderName('tabbies')).toBeNull();
    expect(classFromFolderName('')).toBeNull();
  });

  it('reads a class index as a plain decimal from 0 to 999', () => {
    expect(classFromFolderName('0')).toBe(0);
    expect(classFromFolderName('7')).toBe(7);
    expect(classFromFolderName('999')).toBe(999);
    expect(classFromFolderName(' 281 ')).toBe(281);
    for (const notAnIndex of ['1000', '007', '00', '-1', '+1', '1e2', '1.0', '0x10', '12a', '٣']) {
      expect(classFromFolderName(notAnIndex), notAnIndex).toBeNull();
    }
  });

  it('reports a label two classes share as ambiguous', () => {
    expect(classFromFolderName('crane')).toBe('ambiguous');
    expect(classFromFolderName('Maillot')).toBe('ambiguous');
    // "Cardigan" (the corgi) and "cardigan" (the sweater) differ only in case.
    expect(classFromFolderName('cardigan')).toBe('ambiguous');
    expect(classFromFolderName('134')).toBe(134);
  });

  it('lists the ambiguous names with their classes', () => {
    expect(ambiguousLabels()).toEqual([
      { name: 'crane', classIndices: [134, 517] },
      { name: 'cardigan', classIndices: [264, 474] },
      { name: 'maillot', classIndices: [638, 639] },
    ]);
  });
});

describe('the label of a file in a folder', () => {
  it('takes the folder the file is in', () => {
    expect(labelFromPath('photos/tabby/img1.jpg')).toEqual({ classIndex: 281, folder: 'tabby' });
    expect(labelFromPath('photos/281/img1.jpg')).toEqual({ classIndex: 281, folder: '281' });
    expect(labelFromPath('photos/German_Shepherd/dog.png')).toEqual({
      classIndex: 235,
      folder: 'German_Shepherd',
    });
  });

  it('counts the root folder too', () => {
    expect(labelFromPath('tabby/img1.jpg')).toEqual({ classIndex: 281, folder: 'tabby' });
  });

  it('walks up to the nearest folder that names a class', () => {
    expect(labelFromPath('animals/tabby/2023/summer/a.jpg')).toEqual({ classIndex: 281, folder: 'tabby' });
    expect(labelFromPath('tench/tabby/a.jpg')).toEqual({ classIndex: 281, folder: 'tabby' });
    expect(labelFromPath('0/misc/a.jpg')).toEqual({ classIndex: 0, folder: '0' });
  });

  it('stops at an ambiguous name rather than looking further up', () => {
    expect(labelFromPath('517/crane/a.jpg')).toEqual({
      classIndex: null,
      folder: 'crane',
      reason: 'ambiguous',
    });
    expect(labelFromPath('crane/517/a.jpg')).toEqual({ classIndex: 517, folder: '517' });
  });

  it('says when no folder names a class', () => {
    expect(labelFromPath('holiday/beach/a.jpg')).toEqual({
      classIndex: null,
      folder: 'beach',
      reason: 'unknown',
    });
    expect(labelFromPath('photos/1000/a.jpg')).toEqual({
      classIndex: null,
      folder: '1000',
      reason: 'unknown',
    });
  });

  it('says when the file is at the root', () => {
    expect(labelFromPath('a.jpg')).toEqual({ classIndex: null, folder: null, reason: 'no-folder' });
    expect(labelFromPath('/a.jpg')).toEqual({ classIndex: null, folder: null, reason: 'no-folder' });
    expect(labelFromPath('')).toEqual({ classIndex: null, folder: null, reason: 'no-folder' });
  });

  it('accepts backslashes, a leading slash, doubled slashes and ./', () => {
    expect(labelFromPath('photos\\tabby\\img1.jpg')).toEqual({ classIndex: 281, folder: 'tabby' });
    expect(labelFromPath('/photos//tabby/./img1.jpg')).toEqual({ classIndex: 281, folder: 'tabby' });
    expect(labelFromPath('./tabby/img1.jpg')).toEqual({ classIndex: 281, folder: 'tabby' });
  });
});
