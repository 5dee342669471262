import { describe, expect, it } from 'vitest';

import type { Inspection } from './inspection';
import { Inspections } from './inspections';

const fake = (name: string) => {
  const inspection = { name, hasBlocks: true, forgetBlocks: () => (inspection.hasBlocks = false) };
  return inspection as unknown as Inspection;
};

describe('Inspections', () => {
  it('keeps an inspection per model and image', () => {
    const kept = new Inspections(4);
    const a = fake('a');
    const b = fake('b');
    kept.set('m1', 'img-1', a);
    kept.set('m2', 'img-1', b);
    expect(kept.get('m1', 'img-1')).toBe(a);
    expect(kept.get('m2', 'img-1')).toBe(b);
    expect(kept.get('m1', 'img-2')).toBeUndefined();
  });

  it('evicts the least recently used beyond its capacity', () => {
    const kept = new Inspections(2);
    kept.set('m', '1', fake('1'));
    kept.set('m', '2', fake('2'));
    kept.get('m', '1');
    kept.set('m', '3', fake('3'));
    expect(kept.get('m', '2')).toBeUndefined();
    expect(kept.get('m', '1')).toBeDefined();
    expect(kept.size).toBe(2);
  });

  it('forgets every image of a released model, and only those', () => {
    const kept = new Inspections(8);
    kept.set('m1', '1', fake('1'));
    kept.set('m1', '2', fake('2'));
    kept.set('m2', '1', fake('3'));
    kept.dropModel('m1');
    expect(kept.size).toBe(1);
    expect(kept.get('m2', '1')).toBeDefined();
  });

  it('keeps every block output with the newest inspection only', () => {
    const kept = new Inspections(4);
    const [a, b] = [fake('a'), fake('b')];
    kept.set('m', '1', a);
    kept.set('m', '1', a);
    expect(a.hasBlocks).toBe(true);
    kept.set('m', '2', b);
    expect([a.hasBlocks, b.hasBlocks]).toEqual([false, true]);
  });
});
