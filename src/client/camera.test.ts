import { describe, expect, it } from 'vitest';

import { cameraProblem, snapshotName } from './camera';

describe('cameraProblem', () => {
  it.each([
    ['NotFoundError', 'no-camera'],
    ['OverconstrainedError', 'no-camera'],
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotReadableError', 'unavailable'],
    ['TypeError', 'unavailable'],
  ])('%s is %s', (name, code) => {
    const problem = cameraProblem(new DOMException('refused', name));
    expect(problem.code).toBe(code);
    expect(problem.message.length).toBeGreaterThan(20);
  });

  it('names an unknown failure in its own words', () => {
    expect(cameraProblem(new Error('boom')).message).toContain('boom');
  });
});

describe('snapshotName', () => {
  it('is the local time it was taken, sortable', () => {
    expect(snapshotName(new Date(2026, 10, 30, 15, 1, 2))).toBe('camera-2026-11-30-150102.jpg');
  });
});
