#!/usr/bin/env node
// @ts-check
// First step of `npm run demo` and `npm test` on a fresh clone: installs what is missing (Node 24
// when this Node is older, npm dependencies, the Temporal CLI) and nothing else. Cheap when
// everything is there already.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode } from './install-node.js';
import { ensureKafka } from './kafka.js';
import { ensureMlserver } from './mlserver.js';
import { ensureTemporalCli } from './temporal-cli.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const log = (/** @type {string} */ msg) => console.error(`[setup] ${msg}`);

// Arbiter runs on Node 24 (scripts/node24.js relaunches on it): on an older Node, it goes to .tools/node.
/** The Node Arbiter runs on: npm installs on it too, so install scripts and engine checks see 24. */
let node = process.execPath;
try {
  node = ensureNode(log);
  if (process.env.ARBITER_SETUP_VERBOSE) log(`Node: ${node}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

function npmDepsStale() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  const installed = statSync(marker).mtimeMs;
  // A patch of patches/ newer than the install: npm install's postinstall (patch-package) applies it.
  const patches = join(ROOT, 'patches');
  const patchFiles = existsSync(patches) ? readdirSync(patches).filter((f) => f.endsWith('.patch')) : [];
  return [join(ROOT, 'package-lock.json'), ...patchFiles.map((f) => join(patches, f))].some(
    (file) => statSync(file).mtimeMs > installed,
  );
}

if (npmDepsStale()) {
  log('installing npm dependencies');
  // onnxruntime-node ships its CPU binary in the package; its install script would only fetch GPU extras.
  // 'install' rather than 'ci': this npm leaves other platforms' optional packages out of the lock file,
  // and 'ci' then refuses it. --no-save keeps the committed lock file as it is.
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', PATH: `${dirname(node)}${delimiter}${process.env.PATH}` },
  });
}

try {
  const cli = ensureTemporalCli(log);
  if (process.env.ARBITER_SETUP_VERBOSE) log(`Temporal CLI: ${cli}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  // With TEMPORAL_ADDRESS the demo uses that server and needs no CLI; the tests always do.
  if (!process.env.TEMPORAL_ADDRESS) process.exit(1);
}

const CHROMIUM = '/usr/bin/chromium';
const APT_GET = '/usr/bin/apt-get';

/** @param {string[]} args */
function aptGet(args) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync(APT_GET, args, { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A Debian package a test needs, installed where we may (root with apt-get); otherwise the one
 * command that installs it is printed.
 * @param {string} pkg @param {string} binary @param {string} forWhat
 */
function ensureAptPackage(pkg, binary, forWhat) {
  if (existsSync(binary)) return;
  const hint = `${forWhat} needs ${binary}: install it with 'apt-get install ${pkg}'`;
  if (process.getuid?.() !== 0 || !existsSync(APT_GET)) return log(hint);
  log(`installing ${pkg} (apt-get) for ${forWhat}`);
  const install = ['install', '-y', '-q', pkg];
  let result = aptGet(install);
  // A fresh container has no package lists yet.
  if (result.status !== 0 && aptGet(['update', '-q']).status === 0) result = aptGet(install);
  const why = (result.stderr ?? '').trim().split('\n').pop();
  if (result.status !== 0) log(`apt-get install ${pkg} failed (${why || `exit ${result.status}`}); ${hint}`);
}

// The test suite also talks to a real MLServer (Open Inference Protocol) and drives the Temporal UI
// in a headless browser; the demo needs neither.
if (process.argv.includes('--test')) {
  try {
    ensureMlserver();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  // The ingestion tests run a real Kafka broker: its jars come through Maven, and it runs on Java.
  try {
    ensureKafka(log);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  // The Temporal UI test drives Debian's Chromium headless; the step-cache test runs a real Redis.
  ensureAptPackage('chromium', CHROMIUM, 'the Temporal UI test');
  ensureAptPackage('redis-server', '/usr/bin/redis-server', 'the Redis cache test');
  // The Kafka SASL_SSL test makes its broker's self-signed certificate with the openssl CLI.
  ensureAptPackage('openssl', '/usr/bin/openssl', 'the Kafka SASL_SSL test');
  // The dashboard and alert queries are checked against a real Prometheus (test/prometheus.int.test.ts).
  ensureAptPackage('prometheus', '/usr/bin/prometheus', 'the Prometheus dashboards test');
}
