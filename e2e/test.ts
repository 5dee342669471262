/**
 * The `test` every spec uses: Playwright's, plus the page's console and uncaught errors (page and workers)
 * written to `console.txt` beside the trace and screenshot of a test that fails, so a failure explains itself.
 */
import { test as base } from '@playwright/test';
import { writeFileSync } from 'node:fs';

export const test = base.extend<{ consoleLog: string[] }>({
  consoleLog: [
    async ({ page }, use, testInfo) => {
      const lines: string[] = [];
      const started = performance.now();
      const at = () => `${((performance.now() - started) / 1000).toFixed(3)}s`;
      page.on('console', (m) => lines.push(`${at()} [page ${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => lines.push(`${at()} [page error] ${e.stack ?? e.message}`));
      page.on('worker', (w) => {
        lines.push(`${at()} [worker started] ${w.url()}`);
        w.on('close', () => lines.push(`${at()} [worker closed] ${w.url()}`));
      });
      page.on('crash', () => lines.push(`${at()} [page crashed]`));
      await use(lines);
      if (testInfo.status !== testInfo.expectedStatus) {
        const file = testInfo.outputPath('console.txt');
        writeFileSync(file, lines.join('\n') + '\n');
        await testInfo.attach('console', { path: file, contentType: 'text/plain' });
      }
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
