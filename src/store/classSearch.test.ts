import { describe, expect, it } from 'vitest';

import { IMAGENET_LABELS } from '../shared/imagenetLabels';
import { classOptionText, findClass } from './classSearch';

describe('findClass', () => {
  it('reads a suggestion, a number, a label, a synonym, or the start of a label', () => {
    expect(classOptionText(281)).toBe('tabby (281)');
    expect(findClass('tabby (281)')).toBe(281);
    expect(findClass(' 282 ')).toBe(282);
    expect(findClass('Tiger cat')).toBe(282);
    expect(findClass('tabby cat')).toBe(281);
    expect(findClass('Egyptian')).toBe(IMAGENET_LABELS.indexOf('Egyptian cat'));
  });

  it('tells the two cranes apart by number', () => {
    const cranes = IMAGENET_LABELS.flatMap((l, i) => (l === 'crane' ? [i] : []));
    expect(cranes).toHaveLength(2);
    for (const i of cranes) expect(findClass(classOptionText(i))).toBe(i);
  });

  it('finds nothing for an empty text, an unknown name or a number past the last class', () => {
    expect(findClass('   ')).toBeNull();
    expect(findClass('zzzz')).toBeNull();
    expect(findClass('1000')).toBeNull();
    expect(findClass('unicorn (1234)')).toBeNull();
  });
});
