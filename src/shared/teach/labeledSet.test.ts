import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { labeledSetProblems, MAX_IMAGES } from './labeledSet';

describe('labeledSetProblems', () => {
  it('accepts two classes of two images', () => {
    expect(
      labeledSetProblems([
        { name: 'cats', imageCount: 2 },
        { name: 'dogs', imageCount: 2 },
      ]),
    ).toEqual([]);
  });

  it('names the one class a single folder gave', () => {
    expect(labeledSetProblems([{ name: 'cats', imageCount: 40 }])).toEqual([
      {
        kind: 'too-few-classes',
        classCount: 1,
        message: 'Teaching needs at least 2 classes, one folder of images each; found only "cats".',
      },
    ]);
    expect(labeledSetProblems([])[0]!.message).toMatch(/found none\.$/);
  });

  it('names each class with too few images, an empty one too', () => {
    const problems = labeledSetProblems([
      { name: 'cats', imageCount: 30 },
      { name: 'dogs', imageCount: 0 },
      { name: 'owls', imageCount: 1 },
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      '"dogs" has 0 images; each class needs at least 2, one to learn from and one to check on.',
      '"owls" has 1 image; each class needs at least 2, one to learn from and one to check on.',
    ]);
  });

  it('refuses more than 5,000 images and says how many there were', () => {
    expect(
      labeledSetProblems([
        { name: 'a', imageCount: 2500 },
        { name: 'b', imageCount: 2500 },
      ]),
    ).toEqual([]);
    expect(
      labeledSetProblems([
        { name: 'a', imageCount: 2500 },
        { name: 'b', imageCount: 2501 },
      ]),
    ).toEqual([
      {
        kind: 'too-many-images',
        imageCount: 5001,
        message: 'The folder holds 5,001 images; at most 5,000 can be taught at once.',
      },
    ]);
  });

  it('refuses two classes whose names differ only in case or spaces, and a class without a name', () => {
    const problems = labeledSetProblems([
      { name: 'Cats', imageCount: 3 },
      { name: 'cats ', imageCount: 3 },
      { name: ' ', imageCount: 3 },
    ]);
    expect(problems.map((p) => p.kind)).toEqual(['duplicate-name', 'unnamed-class']);
    expect(problems[0]!.message).toBe('Two classes are named "cats": give each folder a name of its own.');
  });

  it('finds a problem exactly when a rule is broken', () => {
    const classArb = fc.record({
      name: fc.stringMatching(/^[a-z]{1,6}$/),
      imageCount: fc.nat({ max: 3000 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(classArb, { selector: (c) => c.name, maxLength: 5 }), (classes) => {
        const total = classes.reduce((s, c) => s + c.imageCount, 0);
        const broken = classes.length < 2 || classes.some((c) => c.imageCount < 2) || total > MAX_IMAGES;
        expect(labeledSetProblems(classes).length > 0).toBe(broken);
      }),
    );
  });
});
