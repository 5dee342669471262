/**
 * The unit tests' order: the comparisons with PyTorch (hundreds of forward passes each) start first, so that on two
 * workers the longest file does not begin last and set the length of the whole run. Vitest's own order (longest
 * first) needs timings cached from an earlier run, which a clean clone does not have.
 */
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

const LONG = /\.pytorch\.test\.ts$/;

export class LongTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter((f) => LONG.test(f.moduleId)), ...sorted.filter((f) => !LONG.test(f.moduleId))];
  }
}
