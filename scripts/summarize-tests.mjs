// Prints the one line CI reads, "N passed, M failed", from Vitest's and Playwright's JSON reports.
// Arguments: unit.json e2e.json [names of failed steps...]. A missing report counts as a failed suite, and a
// failed step (type-check, lint, build) is a failure too, so a broken run can never print "0 failed": that
// includes a test step that failed with no failed test in its report (a server that would not start, an error
// outside any test).
import { existsSync, readFileSync } from 'node:fs';

const [unitPath, e2ePath, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

function read(path) {
  if (!path || !existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Each failed e2e test with the files it left (trace, screenshot, page console), to open first. */
function failureArtifacts(report) {
  const lines = [];
  const visit = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const results = t.results ?? [];
        if (!results.some((r) => r.status !== 'passed' && r.status !== 'skipped')) continue;
        lines.push(`e2e failed: ${[...titles, spec.title].join(' › ')} (${spec.file}:${spec.line})`);
        for (const r of results)
          for (const a of r.attachments ?? []) if (a.path) lines.push(`  ${a.name}: ${a.path}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child, child.title ? [...titles, child.title] : titles);
  };
  for (const suite of report.suites ?? []) visit(suite, []);
  return lines;
}

/** Failed tests per suite step, to tell a step that failed through its tests from one that failed around them. */
const failedTests = { 'unit tests': 0, 'end-to-end tests': 0 };

const unit = read(unitPath);
if (unit) {
  failedTests['unit tests'] = unit.numFailedTests ?? 0;
  passed += unit.numPassedTests ?? 0;
  failed += unit.numFailedTests ?? 0;
  skipped += (unit.numPendingTests ?? 0) + (unit.numTodoTests ?? 0);
  console.log(
    `unit: ${unit.numPassedTests} passed, ${unit.numFailedTests} failed, ${unit.numPendingTests} skipped`,
  );
} else {
  console.log(`unit: no report at ${unitPath}`);
  failed += 1;
}

const e2e = read(e2ePath);
if (e2e?.stats) {
  const { expected = 0, unexpected = 0, flaky = 0, skipped: sk = 0 } = e2e.stats;
  passed += expected;
  failed += unexpected + flaky;
  failedTests['end-to-end tests'] = unexpected + flaky;
  skipped += sk;
  console.log(`e2e: ${expected} passed, ${unexpected + flaky} failed, ${sk} skipped`);
  for (const line of failureArtifacts(e2e)) console.log(line);
  for (const error of e2e.errors ?? [])
    console.log(`e2e error: ${String(error.message ?? error).split('\n')[0]}`);
} else {
  console.log(`e2e: no report at ${e2ePath}`);
  failed += 1;
}

for (const step of failedSteps.filter(Boolean)) {
  console.log(`step failed: ${step}`);
  // A suite's failed tests are counted above; a suite step that failed without any is one failure more.
  if (!(failedTests[step] > 0)) failed += 1;
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
