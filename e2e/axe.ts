/** The accessibility audit every spec that adds a view runs: axe-core with the WCAG 2.0/2.1 A and AA rules. */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

import { expect } from './test';

/**
 * Runs axe over the whole page with the WCAG 2.0/2.1 A and AA rules and fails on any serious or critical
 * violation, naming each rule and the elements it found, so a failure explains itself.
 */
export async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = (list: typeof violations) =>
    list
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help}\n` +
          v.nodes
            .slice(0, 6)
            .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`)
            .join('\n'),
      )
      .join('\n');
  console.log(
    `axe, ${what}: ${serious.length} serious or critical, ${violations.length - serious.length} other` +
      (violations.length > serious.length
        ? `\n${report(violations.filter((v) => !serious.includes(v)))}`
        : ''),
  );
  expect(serious, `axe, ${what}:\n${report(serious)}`).toEqual([]);
}
